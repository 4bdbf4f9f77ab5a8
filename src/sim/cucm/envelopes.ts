/** The answers of the simulated call manager, in the shapes of Cisco's (reference note §1, §2). */
import { escapeXml } from '../../phone/xml.js';
import type { ResultRow } from './sql.js';

const ENV_OPEN = '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

export interface RisEntry {
  name: string;
  status: string;
  ip?: string;
  description: string;
  model: number;
  timestamp: number;
  loginUserId?: string;
}

/** selectCmDeviceResponse with ns1 prefixes, CmNodes/item per node; an empty node list is nil. */
export function risResponse(nodes: { name: string; devices: RisEntry[] }[]): string {
  const withDevices = nodes.filter((n) => n.devices.length > 0);
  const total = withDevices.reduce((s, n) => s + n.devices.length, 0);
  const cmNodes =
    withDevices.length === 0
      ? '<CmNodes xsi:nil="true"/>'
      : `<CmNodes soapenc:arrayType="ns1:CmNode[${withDevices.length}]" xsi:type="soapenc:Array" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/">${withDevices.map(nodeXml).join('')}</CmNodes>`;
  return (
    ENV_OPEN +
    '<ns1:selectCmDeviceResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="http://schemas.cisco.com/ast/soap">' +
    '<selectCmDeviceReturn xsi:type="ns1:SelectCmDeviceResult">' +
    `<SelectCmDeviceResult xsi:type="ns1:SelectCmDeviceResult"><TotalDevicesFound xsi:type="xsd:unsignedInt">${total}</TotalDevicesFound>${cmNodes}</SelectCmDeviceResult>` +
    '<StateInfo xsi:type="xsd:string"></StateInfo></selectCmDeviceReturn></ns1:selectCmDeviceResponse>' +
    ENV_CLOSE
  );
}

function nodeXml(node: { name: string; devices: RisEntry[] }): string {
  return (
    '<item xsi:type="ns1:CmNode"><ReturnCode xsi:type="ns1:RisReturnCode">Ok</ReturnCode>' +
    `<Name xsi:type="xsd:string">${escapeXml(node.name)}</Name><NoChange xsi:type="xsd:boolean">false</NoChange>` +
    `<CmDevices soapenc:arrayType="ns1:CmDevice[${node.devices.length}]" xsi:type="soapenc:Array">${node.devices.map(deviceXml).join('')}</CmDevices></item>`
  );
}

function deviceXml(d: RisEntry): string {
  const registered = d.status === 'Registered';
  const ip = d.ip
    ? `<IPAddress soapenc:arrayType="ns1:IPAddressArrayType[1]" xsi:type="soapenc:Array"><item xsi:type="ns1:IPAddressArrayType"><IP xsi:type="xsd:string">${escapeXml(d.ip)}</IP><IPAddrType xsi:type="ns1:IPAddrType">ipv4</IPAddrType><Attribute xsi:type="ns1:Attribute">Unknown</Attribute></item></IPAddress>`
    : '<IPAddress xsi:nil="true"/>';
  return (
    '<item xsi:type="ns1:CmDevice">' +
    `<Name xsi:type="xsd:string">${escapeXml(d.name)}</Name><DirNumber xsi:type="xsd:string">1000-${registered ? 'Registered' : 'UnRegistered'}</DirNumber>` +
    `<DeviceClass xsi:type="ns1:DeviceClass">Phone</DeviceClass><Model xsi:type="xsd:unsignedInt">${d.model}</Model><Product xsi:type="xsd:unsignedInt">${d.model}</Product>` +
    `<BoxProduct xsi:type="xsd:unsignedInt">0</BoxProduct><Httpd xsi:type="ns1:CmDevHttpd">Yes</Httpd><RegistrationAttempts xsi:type="xsd:unsignedInt">0</RegistrationAttempts>` +
    `<IsCtiControllable xsi:type="xsd:boolean">true</IsCtiControllable><LoginUserId xsi:type="xsd:string">${escapeXml(d.loginUserId ?? '')}</LoginUserId>` +
    `<Status xsi:type="ns1:CmDevRegStat">${escapeXml(d.status)}</Status><StatusReason xsi:type="xsd:unsignedInt">${registered ? 0 : 13}</StatusReason>` +
    `<PerfMonObject xsi:type="xsd:unsignedInt">2</PerfMonObject><DChannel xsi:type="xsd:unsignedInt">0</DChannel><Description xsi:type="xsd:string">${escapeXml(d.description)}</Description>` +
    `<H323Trunk xsi:type="ns1:H323Trunk"><ConfigName xsi:nil="true"/></H323Trunk><TimeStamp xsi:type="xsd:unsignedInt">${d.timestamp}</TimeStamp>` +
    `<Protocol xsi:type="ns1:ProtocolType">SIP</Protocol><NumOfLines xsi:type="xsd:unsignedInt">1</NumOfLines><LinesStatus xsi:nil="true"/>` +
    `<ActiveLoadID xsi:type="xsd:string">sip88xx.14-2-1-0001-14</ActiveLoadID><InactiveLoadID xsi:nil="true"/><DownloadStatus xsi:type="ns1:DeviceDownloadStatus">Unknown</DownloadStatus>` +
    `<DownloadFailureReason xsi:nil="true"/><DownloadServer xsi:nil="true"/>${ip}</item>`
  );
}

/** The Axis fault RisPort answers over its rate ("Reatime" is Cisco's typo). */
export function rateControlFault(perMinute: number, host: string): string {
  return (
    ENV_OPEN +
    '<soapenv:Fault><faultcode xmlns:ns1="http://xml.apache.org/axis/">ns1:Server.RateControl</faultcode>' +
    `<faultstring>AxisFault: Exceeded allowed rate for Reatime information. Current allowed rate for realtime information is ${perMinute} requests per minute.http://schemas.cisco.com/ast/soap/action/#RisPort70#SelectCmDeviceExt</faultstring>` +
    `<detail><ns2:hostname xmlns:ns2="http://xml.apache.org/axis/">${escapeXml(host)}</ns2:hostname></detail></soapenv:Fault>` +
    ENV_CLOSE
  );
}

/** executeSQLQueryResponse: return/row per row, one child per column. */
export function sqlResponse(version: string, rows: readonly ResultRow[]): string {
  const body = rows.map((r) => `<row>${Object.entries(r).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('')}</row>`).join('');
  return `${ENV_OPEN}<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/${escapeXml(version)}"><return>${body}</return></ns:executeSQLQueryResponse>${ENV_CLOSE}`;
}

/** The AXL fault shape of 9.1 and later: faultcode, faultstring, detail/axlError/{axlcode, axlmessage, request}. */
export function axlFault(code: number, message: string, request: string): string {
  return (
    ENV_OPEN +
    `<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
    `<detail><axlError><axlcode>${code}</axlcode><axlmessage>${escapeXml(message)}</axlmessage><request>${escapeXml(request)}</request></axlError></detail></soapenv:Fault>` +
    ENV_CLOSE
  );
}

/** Tomcat's error pages (401 on bad credentials, 403 without the role). */
export function tomcatPage(status: 401 | 403): string {
  const title = status === 401 ? 'HTTP Status 401 – Unauthorized' : 'HTTP Status 403 – Forbidden';
  const text =
    status === 401
      ? 'The request has not been applied because it lacks valid authentication credentials for the target resource.'
      : 'The server understood the request but refuses to authorize it.';
  return `<!doctype html><html lang="en"><head><title>${title}</title></head><body><h1>${title}</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> ${text}</p><hr class="line" /><h3>Apache Tomcat</h3></body></html>`;
}

/** A valid envelope padded past `bytes` with whitespace (the "huge answer" fault). */
export function hugeEnvelope(bytes: number): string {
  return `${ENV_OPEN}${' '.repeat(bytes)}${ENV_CLOSE}`;
}

/** An envelope that declares an entity and uses it (the client must refuse it, never expand it). */
export function doctypeEnvelope(): string {
  return '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' + `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&lol2;</x>${ENV_CLOSE}`;
}
