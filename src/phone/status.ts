/**
 * `status(phone)`: what the phone says about itself (DeviceInformationX) and whether a call is
 * active (StreamingStatisticsX, stream 1). Names and values are matched case-insensitively, since
 * models differ (`MessageWaiting` no/No/NO/YES, `phoneDN` vs `PhoneDN`). Neither page needs a password.
 */
import type { PhoneClient, PhoneTarget, RequestOptions } from './client.js';
import { parsePhoneAddress, phoneKey } from './address.js';
import { PhoneBadResponse } from './errors.js';
import { childText, decodeBody, parseReply, plainChildren, throwIfPhoneError } from './parse.js';
import type { PhoneStatus } from './types.js';

/** What DeviceInformationX says: the status without the call state and the TLS fingerprint. */
export type DeviceInformation = Omit<PhoneStatus, 'inCall' | 'certificateSha256'>;

/** Parse a DeviceInformationX body; throws PhoneBadResponse when it is not one. */
export function parseDeviceInformation(key: string, body: Buffer, contentType?: string): DeviceInformation {
  const parsed = parseReply(body, contentType);
  if (parsed.kind !== 'other-xml' || parsed.root !== 'deviceinformation') {
    throw new PhoneBadResponse(`Phone ${key} did not send device information (got ${parsed.kind === 'other-xml' ? `<${parsed.root}>` : parsed.kind})`);
  }
  const node = parsed.tree.deviceinformation;
  const mw = childText(node, 'MessageWaiting')?.toLowerCase();
  const info: DeviceInformation = {
    model: childText(node, 'modelNumber'),
    hostName: childText(node, 'HostName'),
    macAddress: childText(node, 'MACAddress'),
    directoryNumber: childText(node, 'phoneDN'),
    firmware: childText(node, 'versionID') ?? childText(node, 'appLoadID'),
    messageWaiting: mw === undefined ? undefined : ['yes', 'on', 'true', '1'].includes(mw),
  };
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as DeviceInformation;
}

/** True when StreamingStatisticsX shows an active stream. */
export function parseStreamingActive(key: string, body: Buffer, contentType?: string): boolean {
  const node = plainChildren(decodeBody(body, contentType), 'streamingstatistics') ?? parsedStreamingStatistics(key, body, contentType);
  const status = childText(node, 'StreamStatus')?.toLowerCase();
  if (status !== undefined) return status === 'active';
  const remote = childText(node, 'RemoteAddr');
  return remote !== undefined && !/^0\.0\.0\.0/.test(remote);
}

/** The StreamingStatistics element through the full parse (what plainChildren does not read). */
function parsedStreamingStatistics(key: string, body: Buffer, contentType?: string): unknown {
  const parsed = parseReply(body, contentType);
  if (parsed.kind !== 'other-xml' || parsed.root !== 'streamingstatistics') {
    throw new PhoneBadResponse(`Phone ${key} did not send streaming statistics`);
  }
  return parsed.tree.streamingstatistics;
}

export async function status(client: PhoneClient, phone: PhoneTarget, opts: RequestOptions = {}): Promise<PhoneStatus> {
  const key = phoneKey(parsePhoneAddress(phone.address));
  const info = await client.get(phone, '/DeviceInformationX', opts);
  throwIfPhoneError(key, info, parseReply(info.body, info.contentType));
  const device = parseDeviceInformation(key, info.body, info.contentType);

  let inCall: boolean | undefined;
  const stats = await client.get(phone, '/StreamingStatisticsX?1', opts);
  if (stats.status === 200) {
    try {
      inCall = parseStreamingActive(key, stats.body, stats.contentType);
    } catch {
      inCall = undefined;
    }
  }
  return { ...device, ...(inCall !== undefined ? { inCall } : {}), ...(info.certificateSha256 ? { certificateSha256: info.certificateSha256 } : {}) };
}
