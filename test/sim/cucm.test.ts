/**
 * The simulated call manager over raw HTTP, with requests written by hand (the reference note's
 * shapes), so it is checked independently of src/callmanager.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCallManagerSim, SIM_CUCM_PASSWORD, SIM_CUCM_USERNAME, type SimCucmOptions, type SimulatedCallManager } from '../../src/sim/cucm/index.js';
import { startPhone } from '../../src/sim/index.js';
import type { SimPhone } from '../../src/sim/index.js';
import { basic, call } from './helpers.js';

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function cucm(options: SimCucmOptions = {}): Promise<SimulatedCallManager> {
  const sim = await startCallManagerSim(options);
  started.push(sim);
  return sim;
}

const AUTH = basic(SIM_CUCM_USERNAME, SIM_CUCM_PASSWORD);

function risRequest(names: string[]): string {
  const items = names.map((n) => `<s:item><s:Item>${n}</s:Item></s:item>`).join('');
  return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:s="http://schemas.cisco.com/ast/soap">
 <soapenv:Body><s:selectCmDeviceExt><s:StateInfo/>
  <s:CmSelectionCriteria><s:MaxReturnedDevices>1000</s:MaxReturnedDevices><s:DeviceClass>Phone</s:DeviceClass>
   <s:Model>255</s:Model><s:Status>Any</s:Status><s:NodeName/><s:SelectBy>Name</s:SelectBy>
   <s:SelectItems>${items}</s:SelectItems>
   <s:Protocol>Any</s:Protocol><s:DownloadStatus>Any</s:DownloadStatus></s:CmSelectionCriteria>
 </s:selectCmDeviceExt></soapenv:Body></soapenv:Envelope>`;
}

function sqlRequest(sql: string): string {
  return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/12.5"><soapenv:Body><ns:executeSQLQuery><sql>${sql}</sql></ns:executeSQLQuery></soapenv:Body></soapenv:Envelope>`;
}

const ris = (sim: SimulatedCallManager, names: string[], auth = AUTH) =>
  call(`${sim.url}/realtimeservice2/services/RISService70`, { method: 'POST', headers: { authorization: auth, 'content-type': 'text/xml', soapaction: 'selectCmDeviceExt' }, body: risRequest(names) });
const axl = (sim: SimulatedCallManager, sql: string, auth = AUTH) =>
  call(`${sim.url}/axl/`, { method: 'POST', headers: { authorization: auth, 'content-type': 'text/xml', soapaction: '"CUCM:DB ver=12.5 executeSQLQuery"' }, body: sqlRequest(sql) });

describe('simulated call manager: RisPort70', () => {
  it('answers in Cisco\'s envelope: ns1 prefix, CmNodes/item per node, a stale UnRegistered entry on the second node', async () => {
    const sim = await cucm({ devices: [{ name: 'SEP001122AABBCC', ip: '127.0.0.5', otherNode: { status: 'UnRegistered', offsetSeconds: -600 } }] });
    const r = await ris(sim, ['SEP001122AABBCC', 'SEP0000000000FF']);
    expect(r.status).toBe(200);
    expect(r.text).toContain('<ns1:selectCmDeviceResponse');
    expect(r.text).toContain('<TotalDevicesFound xsi:type="xsd:unsignedInt">2</TotalDevicesFound>');
    expect(r.text.match(/<item xsi:type="ns1:CmNode">/g)).toHaveLength(2);
    expect(r.text).toMatch(/<Name xsi:type="xsd:string">cucm-sub1<\/Name>.*<Status xsi:type="ns1:CmDevRegStat">Registered<\/Status>.*<IP xsi:type="xsd:string">127\.0\.0\.5<\/IP>/s);
    expect(r.text).toMatch(/<Name xsi:type="xsd:string">cucm-sub2<\/Name>.*<Status xsi:type="ns1:CmDevRegStat">UnRegistered<\/Status>/s);
  });

  it('an empty result has TotalDevicesFound 0 and a nil CmNodes', async () => {
    const sim = await cucm();
    const r = await ris(sim, ['SEP0000000000FF']);
    expect(r.text).toContain('<TotalDevicesFound xsi:type="xsd:unsignedInt">0</TotalDevicesFound><CmNodes xsi:nil="true"/>');
  });

  it('refuses the 16th query in a sliding minute with the exact Server.RateControl fault, and answers again a minute later', async () => {
    let now = Date.parse('2026-12-04T10:00:00Z');
    const sim = await cucm({ clock: () => new Date(now), devices: [{ name: 'SEP001122AABBCC', ip: '127.0.0.5' }] });
    for (let i = 0; i < 15; i++) {
      expect((await ris(sim, ['SEP001122AABBCC'])).status).toBe(200);
      now += 1_000;
    }
    const refused = await ris(sim, ['SEP001122AABBCC']);
    expect(refused.status).toBe(500);
    expect(refused.text).toContain('<faultcode xmlns:ns1="http://xml.apache.org/axis/">ns1:Server.RateControl</faultcode>');
    expect(refused.text).toContain('AxisFault: Exceeded allowed rate for Reatime information. Current allowed rate for realtime information is 15 requests per minute.');
    expect(sim.risRefused).toBe(1);
    now += 60_000;
    expect((await ris(sim, ['SEP001122AABBCC'])).status).toBe(200);
  });

  it('a moved phone answers its new address; an unplugged one UnRegistered without an address', async () => {
    const sim = await cucm({ devices: [{ name: 'SEP001122AABBCC', ip: '127.0.0.5' }] });
    sim.moveDevice('SEP001122AABBCC', '127.0.0.9');
    expect((await ris(sim, ['SEP001122AABBCC'])).text).toContain('<IP xsi:type="xsd:string">127.0.0.9</IP>');
    sim.setStatus('sep001122aabbcc', 'UnRegistered');
    const r = await ris(sim, ['SEP001122AABBCC']);
    expect(r.text).toContain('UnRegistered');
    expect(r.text).toContain('<IPAddress xsi:nil="true"/>');
  });
});

describe('simulated call manager: accounts, roles and AXL', () => {
  it('bad credentials: 401 with Tomcat\'s HTML page; no role: 403 per API', async () => {
    const sim = await cucm({ accounts: [{ username: 'axl-only', password: 'pw-axl-only', ris: false }, { username: 'ris-only', password: 'pw-ris-only', axl: false }] });
    const bad = await ris(sim, ['SEP001122AABBCC'], basic('axl-only', 'wrong'));
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('HTTP Status 401');
    expect((await ris(sim, ['SEP001122AABBCC'], basic('axl-only', 'pw-axl-only'))).status).toBe(403);
    expect((await axl(sim, 'select eu.userid from enduser eu where eu.mailid is not null', basic('axl-only', 'pw-axl-only'))).status).toBe(200);
    expect((await axl(sim, 'select eu.userid from enduser eu where eu.mailid is not null', basic('ris-only', 'pw-ris-only'))).status).toBe(403);
    expect((await ris(sim, ['SEP001122AABBCC'], basic('ris-only', 'pw-ris-only'))).status).toBe(200);
    expect(JSON.stringify(sim.requests)).not.toContain('pw-');
  });

  it('executeSQLQuery answers rows, case-insensitive on mailid; SQL it does not understand is an AXL fault', async () => {
    const sim = await cucm({ users: [{ userid: 'alice', mailid: 'Alice@Example.com' }], devices: [{ name: 'SEP001122AABBCC', associated: ['alice'], description: 'desk' }] });
    const ok = await axl(sim, "SELECT eu.userid, eu.mailid FROM enduser eu WHERE lower(eu.mailid) = &apos;alice@example.com&apos;");
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<return><row><userid>alice</userid><mailid>Alice@Example.com</mailid></row></return>');
    const bad = await axl(sim, 'update enduser set mailid = null');
    expect(bad.status).toBe(500);
    expect(bad.text).toMatch(/<axlError><axlcode>-201<\/axlcode><axlmessage>A syntax error has occurred.<\/axlmessage>/);
  });

  it('more rows than maxAxlRows: -1 "Query request too large"', async () => {
    const sim = await cucm({ users: [{ userid: 'a', mailid: 'a@x.org' }, { userid: 'b', mailid: 'b@x.org' }], maxAxlRows: 1 });
    const r = await axl(sim, 'select eu.userid from enduser eu where eu.mailid is not null');
    expect(r.text).toContain('<axlcode>-1</axlcode><axlmessage>Query request too large. Total rows matched: 2 rows.');
  });
});

describe('simulated phones for the call manager: one port, one loopback address each', () => {
  it('phones bind their own 127.0.0.x on one shared port', async () => {
    const first = await startPhone({ host: '127.0.0.2' });
    started.push(first);
    const phones: SimPhone[] = [first];
    for (const host of ['127.0.0.3', '127.0.0.4']) {
      const p = await startPhone({ host, port: first.port });
      started.push(p);
      phones.push(p);
    }
    expect(new Set(phones.map((p) => p.port)).size).toBe(1);
    expect(phones.map((p) => p.address)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((h) => `${h}:${first.port}`));
    for (const p of phones) expect((await call(`${p.url}/DeviceInformationX`)).status).toBe(200);
  });
});
