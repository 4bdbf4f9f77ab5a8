/**
 * The read-only XML info pages (reference §5): iso-8859-1, no auth, values cased inconsistently like
 * real phones (`no` on a 7940, `No` on newer models), so clients must parse them case-insensitively.
 */
import { escapeXml } from './replies.js';

export interface PhoneIdentity {
  model: string;
  mac: string;
  hostName: string;
  dn: string;
  host: string;
  version: string;
}

/** A stable identity derived from the port, so each simulated phone differs. */
export function identityFor(model: string, port: number, host: string): PhoneIdentity {
  const mac = `00AB${port.toString(16).toUpperCase().padStart(4, '0')}${(port % 251).toString(16).toUpperCase().padStart(2, '0')}`.slice(0, 12).padEnd(12, '0');
  return {
    model,
    mac,
    hostName: `SEP${mac}`,
    dn: String(1000 + (port % 9000)),
    host,
    version: model.startsWith('CP-79') ? '8.1(2.0)' : 'sip88xx.14-2-1-0001-14',
  };
}

const DECL = '<?xml version="1.0" encoding="iso-8859-1"?>\n';

function el(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function deviceInformationXml(id: PhoneIdentity, now: Date = new Date()): string {
  return (
    DECL +
    '<DeviceInformation>\n' +
    el('MACAddress', id.mac) + el('HostName', id.hostName) + el('phoneDN', id.dn) +
    el('appLoadID', id.version) + el('bootLoadID', 'PC03A300') + el('versionID', id.version) +
    el('DSPLoadID', '4.0(5.0)[A0]') + '<addonModule1></addonModule1><addonModule2></addonModule2>\n' +
    el('hardwareRevision', '1.0') + el('serialNumber', `FCH${id.mac.slice(6)}SIM`) + el('modelNumber', id.model) +
    el('Codec', 'ADLCodec') + el('Amps', '3V Amp') + el('C3PORevision', '2') + el('MessageWaiting', id.model.startsWith('CP-79') ? 'no' : 'No') + '\n' +
    el('udi', `phone Cisco IP Phone ${id.model}, Global ${id.model} FCH${id.mac.slice(6)}SIM`) +
    el('time', `${pad2(now.getHours())}:${pad2(now.getMinutes())}`) +
    el('timezone', 'UTC') +
    el('date', `${pad2(now.getDate())}.${pad2(now.getMonth() + 1)}.${pad2(now.getFullYear() % 100)}`) +
    '\n</DeviceInformation>\n'
  );
}

export function networkConfigurationXml(id: PhoneIdentity): string {
  return (
    DECL +
    '<NetworkConfiguration>\n' +
    el('DHCPServer', '') + el('HostName', id.hostName) + el('DomainName', 'sim.invalid') +
    el('IPAddress', id.host) + el('SubNetMask', '255.0.0.0') + el('TFTPServer1', id.host) +
    el('DefaultRouter1', id.host) + el('DNSServer1', id.host) + el('DNSServer2', '') +
    el('OperationalVLANId', '100') + el('AdminVLANId', '1') +
    el('CallManager1', 'cucm-sim  Active') + el('DHCPEnabled', 'Yes') + el('UserLocale', 'English_United_States') +
    el('WebAccess', 'Yes') +
    '\n</NetworkConfiguration>\n'
  );
}

export interface StreamState {
  active: boolean;
  remote: string;
  local: string;
  sinceMs: number;
}

export function streamingStatisticsXml(stream: StreamState, now = Date.now()): string {
  const seconds = stream.active ? Math.max(0, Math.floor((now - stream.sinceMs) / 1000)) : 0;
  const packets = seconds * 50;
  const codec = stream.active ? 'G.711u' : '';
  return (
    DECL +
    '<StreamingStatistics>\n' +
    el('RemoteAddr', stream.active ? stream.remote : '') + el('LocalAddr', stream.active ? stream.local : '') +
    el('StartTime', stream.active ? new Date(stream.sinceMs).toISOString().slice(11, 19) : '') +
    el('StreamStatus', stream.active ? 'Active' : 'Not Ready') + el('Name', stream.active ? 'SEP-stream-1' : '') +
    el('SenderPackets', String(packets)) + el('SenderOctets', String(packets * 160)) + el('SenderCodec', codec) +
    el('RcvrPackets', String(packets)) + el('RcvrOctets', String(packets * 160)) + el('RcvrCodec', codec) +
    el('RcvrLostPackets', '0') + el('AvgJitter', stream.active ? '2' : '0') + el('MaxJitter', stream.active ? '7' : '0') +
    el('Latency', stream.active ? '12' : '0') + el('MOSLQK', stream.active ? '4.5' : '0.0') +
    el('RcvrDiscarded', '0') + el('SenderJoins', stream.active ? '1' : '0') + el('Byes', '0') +
    '\n</StreamingStatistics>\n'
  );
}
