/**
 * The simulated call manager: one HTTP server answering AXL at /axl/ and RisPort70 at
 * /realtimeservice2/services/RISService70, with Basic auth per account, a role per API, RisPort's rate
 * limit over a sliding minute (injectable clock), two nodes, and the faults of SimCucmFaults.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { SIM_CERT_PEM, SIM_KEY_PEM } from '../certs/sim-identity.js';
import { SwitchableListener } from '../listener.js';
import { checkBasicAuth } from '../basic-auth.js';
import { axlFault, doctypeEnvelope, hugeEnvelope, rateControlFault, risResponse, sqlResponse, tomcatPage, type RisEntry } from './envelopes.js';
import { runSql, SqlRefused, type Tables } from './sql.js';
import type { SimCucmAccount, SimCucmDevice, SimCucmFaults, SimCucmOptions, SimCucmRequest, SimCucmUser, SimDeviceStatus } from './types.js';

export const SIM_CUCM_USERNAME = 'rescue-ring';
export const SIM_CUCM_PASSWORD = 'sim-cucm-secret';
export const SIM_CUCM_AXL_PATH = '/axl/';
export const SIM_CUCM_RIS_PATH = '/realtimeservice2/services/RISService70';
const MAX_BODY = 1024 * 1024;
const NO_FAULTS: SimCucmFaults = { slowMs: 0, down: false, unauthorized: false, rateLimited: false, garbage: false, huge: false, doctype: false };

interface DeviceRecord extends Required<Pick<SimCucmDevice, 'name' | 'model' | 'description' | 'status'>> {
  owner?: string;
  associated: string[];
  ip?: string;
  otherNode?: SimCucmDevice['otherNode'];
  /** Epoch seconds of the last change of status or address. */
  since: number;
}

const reqParser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false, isArray: (n) => n === 'item' });

export class SimulatedCallManager {
  readonly requests: SimCucmRequest[] = [];
  /** RisPort queries answered with devices (not refused). */
  risAnswered = 0;
  /** RisPort queries refused for the rate. */
  risRefused = 0;
  private readonly accounts: Required<SimCucmAccount>[];
  private readonly users = new Map<string, SimCucmUser>();
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly risTimes: number[] = [];
  private readonly server: http.Server;
  private readonly listener: SwitchableListener;
  private readonly clock: () => Date;
  private readonly nodes: [string, string];
  private faultState: SimCucmFaults;
  private stopped = false;
  private starting = false;
  readonly risPerMinute: number;
  maxAxlRows: number;
  /** With `https`: the fingerprint of the (simulator-only, self-signed) certificate it presents. */
  readonly certificateSha256: string | undefined;

  private constructor(private readonly o: SimCucmOptions) {
    this.accounts = (o.accounts ?? [{ username: SIM_CUCM_USERNAME, password: SIM_CUCM_PASSWORD }]).map((a) => ({ axl: true, ris: true, ...a }));
    this.clock = o.clock ?? (() => new Date());
    this.nodes = o.nodes ?? ['cucm-sub1', 'cucm-sub2'];
    this.risPerMinute = o.risPerMinute ?? 15;
    this.maxAxlRows = o.maxAxlRows ?? 100_000;
    this.faultState = { ...NO_FAULTS, ...o.faults };
    for (const u of o.users ?? []) this.addUser(u);
    for (const d of o.devices ?? []) this.addDevice(d);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.destroy();
      });
    };
    this.server = o.https ? https.createServer({ key: SIM_KEY_PEM, cert: SIM_CERT_PEM }, handler) : http.createServer(handler);
    this.certificateSha256 = o.https ? new X509Certificate(SIM_CERT_PEM).fingerprint256 : undefined;
    this.listener = new SwitchableListener(this.server, o.host ?? '127.0.0.1', o.port ?? 0, () => this.starting || (!this.stopped && !this.faultState.down));
  }

  static async start(options: SimCucmOptions = {}): Promise<SimulatedCallManager> {
    const sim = new SimulatedCallManager(options);
    sim.starting = true;
    await sim.listener.reconcile();
    sim.starting = false;
    await sim.listener.reconcile();
    return sim;
  }

  /** http(s)://127.0.0.1:<port>: the value for CUCM_URL. */
  get url(): string {
    return `${this.o.https ? 'https' : 'http'}://${this.o.host ?? '127.0.0.1'}:${this.listener.port}`;
  }

  get port(): number {
    return this.listener.port;
  }

  get faults(): Readonly<SimCucmFaults> {
    return this.faultState;
  }

  /** Set faults; `down` closes or reopens the port on the same number. */
  async setFaults(f: Partial<SimCucmFaults>): Promise<void> {
    this.faultState = { ...this.faultState, ...f };
    await this.listener.reconcile();
  }

  addUser(u: SimCucmUser): void {
    this.users.set(u.userid, { ...u });
  }

  addDevice(d: SimCucmDevice): void {
    const status = d.status ?? 'Registered';
    this.devices.set(d.name.toUpperCase(), {
      name: d.name,
      model: d.model ?? defaultModel(d.name),
      description: d.description ?? '',
      status,
      associated: [...(d.associated ?? [])],
      since: this.nowSeconds(),
      ...(d.owner !== undefined ? { owner: d.owner } : {}),
      ...(d.ip !== undefined ? { ip: d.ip } : {}),
      ...(d.otherNode !== undefined ? { otherNode: d.otherNode } : {}),
    });
  }

  /** The phone re-registers at another address (DHCP gave it a new lease). */
  moveDevice(name: string, ip: string): void {
    const d = this.device(name);
    d.ip = ip;
    d.status = 'Registered';
    d.since = this.nowSeconds();
  }

  /** Unplugged (UnRegistered), rejected, or back (Registered). */
  setStatus(name: string, status: SimDeviceStatus): void {
    const d = this.device(name);
    d.status = status;
    d.since = this.nowSeconds();
  }

  /** RisPort queries (answered or refused) in the sliding minute before now. */
  risQueriesInLastMinute(): number {
    this.prune();
    return this.risTimes.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener.reconcile();
  }

  private device(name: string): DeviceRecord {
    const d = this.devices.get(name.toUpperCase());
    if (!d) throw new Error(`no simulated device ${name}`);
    return d;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  private prune(): void {
    const t = this.clock().getTime();
    while (this.risTimes.length > 0 && this.risTimes[0]! <= t - 60_000) this.risTimes.shift();
  }

  private log(r: Omit<SimCucmRequest, 'at'>): void {
    this.requests.push({ at: this.clock().getTime(), ...r });
    if (this.requests.length > 10_000) this.requests.shift();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    if (this.faultState.slowMs > 0) await new Promise((r) => setTimeout(r, this.faultState.slowMs));
    const path = (req.url ?? '/').split('?')[0]!;
    const api = path === SIM_CUCM_AXL_PATH || path === '/axl' ? 'AXL' : path === SIM_CUCM_RIS_PATH ? 'RisPort70' : 'other';
    if (api === 'other' || req.method !== 'POST') {
      this.log({ api, operation: `${req.method} ${path}`, outcome: '404' });
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
      return;
    }
    const account = this.authenticate(req.headers.authorization);
    if (!account) {
      this.log({ api, operation: '', outcome: '401' });
      res.writeHead(401, { 'content-type': 'text/html;charset=utf-8', 'www-authenticate': 'Basic realm="Cisco Unified Communications Manager"' }).end(tomcatPage(401));
      return;
    }
    if ((api === 'AXL' && !account.axl) || (api === 'RisPort70' && !account.ris)) {
      this.log({ api, operation: '', username: account.username, outcome: '403' });
      res.writeHead(403, { 'content-type': 'text/html;charset=utf-8' }).end(tomcatPage(403));
      return;
    }
    if (this.faultState.garbage) return this.send(res, 200, '<html><body>Service temporarily unavailable \u0000\u0001 <<<', { api, operation: '', outcome: 'garbage' }, 'text/html');
    if (this.faultState.huge) return this.send(res, 200, hugeEnvelope(5 * 1024 * 1024), { api, operation: '', outcome: 'huge' });
    if (this.faultState.doctype) return this.send(res, 200, doctypeEnvelope(), { api, operation: '', outcome: 'doctype' });
    let envelopeBody: Record<string, unknown> | undefined;
    try {
      if (/<!DOCTYPE/i.test(body)) throw new Error('doctype');
      const tree = reqParser.parse(body) as Record<string, unknown>;
      envelopeBody = ((tree.Envelope as Record<string, unknown> | undefined)?.Body as Record<string, unknown> | undefined) ?? undefined;
    } catch {
      envelopeBody = undefined;
    }
    if (!envelopeBody || typeof envelopeBody !== 'object') {
      return this.send(res, 500, axlFault(-1, 'Unable to parse the SOAP request', ''), { api, operation: '', username: account.username, outcome: 'fault' });
    }
    if (api === 'AXL') return this.axl(res, req, envelopeBody, account.username);
    return this.risport(res, envelopeBody, account.username);
  }

  private authenticate(header: string | undefined): Required<SimCucmAccount> | undefined {
    if (this.faultState.unauthorized) return undefined;
    return this.accounts.find((a) => checkBasicAuth(header, a.username, a.password) === 'ok');
  }

  private axl(res: http.ServerResponse, req: http.IncomingMessage, body: Record<string, unknown>, username: string): void {
    const action = String(req.headers.soapaction ?? '').replace(/"/g, '');
    const version = /^CUCM:DB ver=(\d+\.\d+)/.exec(action)?.[1] ?? '12.5';
    const op = Object.keys(body)[0] ?? '';
    if (op !== 'executeSQLQuery') {
      return this.send(res, 500, axlFault(-1, `Unsupported operation ${op} in the simulator`, op), { api: 'AXL', operation: op, username, outcome: 'fault' });
    }
    const sql = String((body.executeSQLQuery as Record<string, unknown> | undefined)?.sql ?? '');
    const decoded = sql.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    try {
      const rows = runSql(decoded, this.tables());
      if (rows.length > this.maxAxlRows) {
        throw new SqlRefused(-1, `Query request too large. Total rows matched: ${rows.length} rows. Suggestive Row Fetch: less than ${this.maxAxlRows} rows`);
      }
      this.send(res, 200, sqlResponse(version, rows), { api: 'AXL', operation: op, username, sql: decoded, outcome: 'ok' });
    } catch (err) {
      if (!(err instanceof SqlRefused)) throw err;
      this.send(res, 500, axlFault(err.axlCode, err.message, op), { api: 'AXL', operation: op, username, sql: decoded, outcome: 'fault' });
    }
  }

  private risport(res: http.ServerResponse, body: Record<string, unknown>, username: string): void {
    const op = Object.keys(body)[0] ?? '';
    if (op !== 'selectCmDevice' && op !== 'selectCmDeviceExt') {
      return this.send(res, 500, axlFault(-1, `Unsupported operation ${op}`, op), { api: 'RisPort70', operation: op, username, outcome: 'fault' });
    }
    const criteria = ((body[op] as Record<string, unknown> | undefined)?.CmSelectionCriteria ?? {}) as Record<string, unknown>;
    const items = ((criteria.SelectItems as Record<string, unknown> | undefined)?.item ?? []) as { Item?: unknown }[];
    const names = items.map((i) => String(i.Item ?? '')).filter((n) => n !== '');
    this.prune();
    const limited = this.faultState.rateLimited || this.risTimes.length >= this.risPerMinute;
    this.risTimes.push(this.clock().getTime());
    if (limited) {
      this.risRefused++;
      return this.send(res, 500, rateControlFault(this.risPerMinute, this.nodes[0]), { api: 'RisPort70', operation: op, username, names, outcome: 'rate' });
    }
    this.risAnswered++;
    const max = Math.min(Number(criteria.MaxReturnedDevices ?? 1000) || 1000, 2000);
    const wanted = names.slice(0, max).map((n) => n.toUpperCase());
    const first: RisEntry[] = [];
    const second: RisEntry[] = [];
    for (const n of wanted) {
      const d = this.devices.get(n);
      if (!d) continue;
      const entry: RisEntry = { name: d.name, status: d.status, description: d.description, model: modelNumber(d.name), timestamp: d.since, ...(d.status === 'Registered' && d.ip ? { ip: d.ip } : {}) };
      first.push(entry);
      if (d.otherNode) second.push({ name: d.name, status: d.otherNode.status, description: d.description, model: modelNumber(d.name), timestamp: d.since + d.otherNode.offsetSeconds, ...(d.otherNode.status === 'Registered' && d.ip ? { ip: d.ip } : {}) });
    }
    this.send(res, 200, risResponse([{ name: this.nodes[0], devices: first }, { name: this.nodes[1], devices: second }]), { api: 'RisPort70', operation: op, username, names, outcome: 'ok' });
  }

  private send(res: http.ServerResponse, status: number, text: string, entry: Omit<SimCucmRequest, 'at'>, type = 'text/xml; charset=utf-8'): void {
    this.log(entry);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
  }

  /** The database as AXL's SQL sees it. */
  private tables(): Tables {
    const modelNames = [...new Set([...this.devices.values()].map((d) => d.model))];
    const users = [...this.users.values()];
    return {
      enduser: users.map((u) => ({ pkid: pkidOf(`user:${u.userid}`), userid: u.userid, mailid: u.mailid ?? null })),
      device: [...this.devices.values()].map((d) => ({
        pkid: pkidOf(`device:${d.name.toUpperCase()}`),
        name: d.name,
        description: d.description,
        tkmodel: modelNames.indexOf(d.model) + 1,
        fkenduser: d.owner !== undefined && this.users.has(d.owner) ? pkidOf(`user:${d.owner}`) : null,
      })),
      enduserdevicemap: [...this.devices.values()].flatMap((d) =>
        d.associated.filter((u) => this.users.has(u)).map((u) => ({ fkenduser: pkidOf(`user:${u}`), fkdevice: pkidOf(`device:${d.name.toUpperCase()}`), tkuserassociation: 1 })),
      ),
      typemodel: modelNames.map((name, i) => ({ enum: i + 1, name })),
    };
  }
}

/** A stable lower-case UUID-shaped pkid. */
function pkidOf(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function defaultModel(name: string): string {
  const u = name.toUpperCase();
  if (u.startsWith('SEP')) return 'Cisco 8845';
  if (u.startsWith('CSF')) return 'Cisco Unified Client Services Framework';
  if (u.startsWith('BOT')) return 'Cisco Dual Mode for Android';
  if (u.startsWith('TCT')) return 'Cisco Dual Mode for iPhone';
  if (u.startsWith('TAB')) return 'Cisco Jabber for Tablet';
  return 'Cisco ATA 191';
}

function modelNumber(name: string): number {
  const u = name.toUpperCase();
  return u.startsWith('SEP') ? 36670 : u.startsWith('CSF') ? 503 : 0;
}
