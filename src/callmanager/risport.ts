/**
 * RisPort70's selectCmDeviceExt: the registration status and IPv4 address of named devices, all
 * nodes. At most 1000 names a query (larger lists are split); every query takes one from the RisBudget
 * first, so nothing built on this client can exceed CUCM_RIS_PER_MINUTE. A device listed by several
 * nodes (Registered on one, a stale UnRegistered on another after a failover) is what the entry with
 * the newest TimeStamp says; only a Registered entry with an IPv4 address gives an address.
 */
import { escapeXml } from '../phone/xml.js';
import { checkDeviceName } from './device-name.js';
import { CallManagerBadResponse, CallManagerRateLimited } from './errors.js';
import type { RisBudget } from './budget.js';
import type { SoapTransport } from './soap.js';
import type { DeviceState } from './types.js';
import { child, list, text, type XmlNode } from './xml.js';

export const RISPORT_PATH = '/realtimeservice2/services/RISService70';
export const RIS_NS = 'http://schemas.cisco.com/ast/soap';
export const MAX_DEVICES_PER_QUERY = 1000;

export interface RisPortClientOptions {
  budget: RisBudget;
  clock?: () => Date;
}

export class RisPortClient {
  /** Queries sent (for the benchmark and tests). */
  queries = 0;
  private readonly clock: () => Date;

  constructor(
    private readonly transport: SoapTransport,
    private readonly options: RisPortClientOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * What RisPort says about each name (keys: the names as checkDeviceName spells them, SEP in capitals).
   * Throws CallManagerRateLimited('local') before sending when the budget is spent, and the transport's
   * typed errors otherwise. Names are checked first: InvalidDeviceName for anything RisPort cannot hold.
   */
  async selectCmDeviceExt(names: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceState>> {
    const wanted = [...new Set(names.map(checkDeviceName))];
    const out = new Map<string, DeviceState>();
    for (let i = 0; i < wanted.length; i += MAX_DEVICES_PER_QUERY) {
      const batch = wanted.slice(i, i + MAX_DEVICES_PER_QUERY);
      const found = await this.query(batch, signal);
      for (const name of batch) out.set(name, found.get(name.toUpperCase()) ?? { kind: 'unknown', name });
    }
    return out;
  }

  private async query(batch: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceState>> {
    if (!(await this.options.budget.take(this.clock()))) {
      throw new CallManagerRateLimited('rescue-ring\'s own limit of RisPort queries a minute (CUCM_RIS_PER_MINUTE) is spent', 'local');
    }
    this.queries++;
    const body = await this.transport.call({
      api: 'RisPort70',
      path: RISPORT_PATH,
      soapAction: 'selectCmDeviceExt',
      operation: 'selectCmDeviceExt',
      envelope: selectEnvelope(batch),
      ...(signal ? { signal } : {}),
    });
    return parseSelectResult(body, this.transport.host);
  }
}

/** The request: all nodes, any status, phones of any model, selected by name. */
export function selectEnvelope(names: readonly string[]): string {
  const items = names.map((n) => `<s:item><s:Item>${escapeXml(n)}</s:Item></s:item>`).join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:s="${RIS_NS}"><soapenv:Body>` +
    `<s:selectCmDeviceExt><s:StateInfo></s:StateInfo><s:CmSelectionCriteria>` +
    `<s:MaxReturnedDevices>${MAX_DEVICES_PER_QUERY}</s:MaxReturnedDevices><s:DeviceClass>Any</s:DeviceClass><s:Model>255</s:Model>` +
    `<s:Status>Any</s:Status><s:NodeName></s:NodeName><s:SelectBy>Name</s:SelectBy><s:SelectItems>${items}</s:SelectItems>` +
    `<s:Protocol>Any</s:Protocol><s:DownloadStatus>Any</s:DownloadStatus></s:CmSelectionCriteria></s:selectCmDeviceExt>` +
    `</soapenv:Body></soapenv:Envelope>`
  );
}

/** Newest TimeStamp wins per device (upper-cased name); at equal TimeStamps a Registered entry wins. */
export function parseSelectResult(body: XmlNode, host = 'the call manager'): Map<string, DeviceState> {
  const responseKey = Object.keys(body).find((k) => /^selectCmDevice(Ext)?Response$/.test(k));
  const result = child(child(responseKey ? body[responseKey] : undefined, 'selectCmDeviceReturn'), 'SelectCmDeviceResult');
  if (!result) throw new CallManagerBadResponse(`RisPort70 at ${host} answered without a SelectCmDeviceResult`, 'RisPort70');
  const out = new Map<string, DeviceState>();
  for (const node of list(child(result, 'CmNodes'), 'item')) {
    const nodeName = text(node, 'Name');
    for (const dev of list(child(node, 'CmDevices'), 'item')) {
      const state = deviceState(dev, nodeName);
      if (!state) continue;
      const key = state.name.toUpperCase();
      const before = out.get(key);
      if (!before || newer(state, before)) out.set(key, state);
    }
  }
  return out;
}

function newer(a: DeviceState, b: DeviceState): boolean {
  if (a.kind === 'unknown') return false;
  if (b.kind === 'unknown') return true;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.kind === 'registered' && b.kind !== 'registered';
}

function deviceState(dev: XmlNode, node: string): DeviceState | undefined {
  const name = text(dev, 'Name');
  if (name === '') return undefined;
  const status = text(dev, 'Status') || 'Unknown';
  const ts = Number.parseInt(text(dev, 'TimeStamp'), 10);
  const timestamp = Number.isFinite(ts) && ts >= 0 ? ts : 0;
  const canonical = /^sep[0-9a-f]{12}$/i.test(name) ? name.toUpperCase() : name;
  if (status !== 'Registered') return { kind: 'unregistered', name: canonical, status, timestamp, node };
  const ip = ipv4Of(dev);
  if (ip === undefined) return { kind: 'unregistered', name: canonical, status: 'Registered without an IPv4 address', timestamp, node };
  const description = text(dev, 'Description');
  const loginUserId = text(dev, 'LoginUserId');
  return {
    kind: 'registered',
    name: canonical,
    ip,
    timestamp,
    node,
    ...(description ? { description } : {}),
    ...(loginUserId ? { loginUserId } : {}),
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** RisPort70 lists IPAddress/item (IP, IPAddrType); older answers a plain IpAddress text. */
function ipv4Of(dev: XmlNode): string | undefined {
  for (const item of list(child(dev, 'IPAddress'), 'item')) {
    const ip = text(item, 'IP');
    const type = text(item, 'IPAddrType');
    if ((type === '' || type.toLowerCase() === 'ipv4') && IPV4.test(ip)) return ip;
  }
  const plain = text(dev, 'IpAddress') || text(dev, 'IPAddress');
  return IPV4.test(plain) ? plain : undefined;
}
