import { describe, expect, it } from 'vitest';
import {
  AxlFault,
  CallManagerAuthFailed,
  CallManagerBadResponse,
  CallManagerRateLimited,
  CallManagerRoleMissing,
  CallManagerUnreachable,
  InvalidCallManagerSettings,
  createCallManager,
} from '../../src/callmanager/index.js';
import { isAppError } from '../../src/errors.js';
import { findSecrets } from '../support/capture.js';
import { sep, thrown, worlds, type World } from './helpers.js';

const world = worlds();
const PASSWORD = 'Very-Secret-Cucm-Pw-42';
const devices = [{ name: sep(1), ip: '10.0.0.1' }];
const users = [{ userid: 'alice', mailid: 'alice@example.com' }];

/** What one call of each API throws. */
async function both(w: World): Promise<{ axl: Error; ris: Error }> {
  return { axl: await thrown(w.cm.axl.findUserByEmail('alice@example.com')), ris: await thrown(w.cm.risport.selectCmDeviceExt([sep(1)])) };
}

/** No error text and no log line holds the password in any encoding; no message holds a stack trace. */
function noSecrets(w: World, errors: Error[]): void {
  const secrets = [{ name: 'CUCM_PASSWORD', value: w.options.password }];
  for (const e of errors) {
    expect(isAppError(e), `${e.name}: ${e.message}`).toBe(true);
    expect(findSecrets('error', `${e.message}\n${isAppError(e) ? e.hint : ''}`, secrets)).toEqual([]);
    expect(e.message).not.toMatch(/\n\s+at /);
  }
  expect(findSecrets('log', w.logs.text(), secrets)).toEqual([]);
}

describe('call-manager faults through the simulator', () => {
  it('wrong credentials: CallManagerAuthFailed from both APIs, naming which', async () => {
    const w = await world({ sim: { accounts: [{ username: 'rescue-ring', password: 'the-right-one' }], devices, users }, client: { password: PASSWORD } });
    const { axl, ris } = await both(w);
    expect(axl).toBeInstanceOf(CallManagerAuthFailed);
    expect((axl as CallManagerAuthFailed).api).toBe('AXL');
    expect(ris).toBeInstanceOf(CallManagerAuthFailed);
    expect((ris as CallManagerAuthFailed).api).toBe('RisPort70');
    expect(w.sim.requests.map((r) => r.outcome)).toEqual(['401', '401']);
    noSecrets(w, [axl, ris]);
  });

  it('missing roles: each API names the role it needs', async () => {
    const w = await world({ sim: { accounts: [{ username: 'rescue-ring', password: PASSWORD, axl: false, ris: false }], devices, users }, client: { password: PASSWORD } });
    const { axl, ris } = await both(w);
    expect(axl).toBeInstanceOf(CallManagerRoleMissing);
    expect((axl as CallManagerRoleMissing).hint).toContain('Standard AXL API Access');
    expect(ris).toBeInstanceOf(CallManagerRoleMissing);
    expect((ris as CallManagerRoleMissing).hint).toContain('Standard RealtimeAndTraceCollection');
    noSecrets(w, [axl, ris]);
  });

  it('only the RisPort role missing: AXL works, RisPort says which role', async () => {
    const w = await world({ sim: { accounts: [{ username: 'rescue-ring', password: PASSWORD, ris: false }], devices, users }, client: { password: PASSWORD } });
    expect((await w.cm.axl.findUserByEmail('alice@example.com'))?.userid).toBe('alice');
    const ris = await thrown(w.cm.risport.selectCmDeviceExt([sep(1)]));
    expect((ris as CallManagerRoleMissing).role).toBe('Standard RealtimeAndTraceCollection');
  });

  it('down: CallManagerUnreachable; back up on the same port: answers again', async () => {
    const w = await world({ sim: { devices, users } });
    await w.sim.setFaults({ down: true });
    const { axl, ris } = await both(w);
    expect(axl).toBeInstanceOf(CallManagerUnreachable);
    expect(ris).toBeInstanceOf(CallManagerUnreachable);
    expect(axl.message).toContain('could not be reached');
    await w.sim.setFaults({ down: false });
    expect((await w.cm.risport.selectCmDeviceExt([sep(1)])).get(sep(1))?.kind).toBe('registered');
    noSecrets(w, [axl, ris]);
  });

  it('slow: the total deadline ends the wait with CallManagerUnreachable', async () => {
    const w = await world({ sim: { devices, users, faults: { slowMs: 5_000 } }, deps: { timeouts: { totalMs: 150 } } });
    const err = await thrown(w.cm.risport.selectCmDeviceExt([sep(1)]));
    expect(err).toBeInstanceOf(CallManagerUnreachable);
    expect(err.message).toContain('did not answer selectCmDeviceExt within 150 ms');
  });

  it('RisPort over its rate: the Server.RateControl fault becomes CallManagerRateLimited', async () => {
    const w = await world({ sim: { devices, users, faults: { rateLimited: true } } });
    const err = await thrown(w.cm.risport.selectCmDeviceExt([sep(1)]));
    expect(err).toBeInstanceOf(CallManagerRateLimited);
    expect((err as CallManagerRateLimited).by).toBe('call-manager');
  });

  it('garbage, a huge answer and a DOCTYPE are refused as CallManagerBadResponse', async () => {
    const w = await world({ sim: { devices, users } });
    const errors: Error[] = [];
    for (const fault of ['garbage', 'huge', 'doctype'] as const) {
      await w.sim.setFaults({ garbage: false, huge: false, doctype: false, [fault]: true });
      const { axl, ris } = await both(w);
      for (const e of [axl, ris]) expect(e, fault).toBeInstanceOf(CallManagerBadResponse);
      errors.push(axl, ris);
    }
    expect(errors[2]?.message).toContain('more than 4194304 bytes');
    expect(errors[4]?.message).toContain('DOCTYPE');
    noSecrets(w, errors);
  });

  it('an AXL fault carries axlcode and axlmessage', async () => {
    const w = await world({ sim: { devices, users, maxAxlRows: 0 } });
    const err = await thrown(w.cm.axl.findUserByEmail('alice@example.com'));
    expect(err).toBeInstanceOf(AxlFault);
    expect((err as AxlFault).axlCode).toBe(-1);
    expect((err as AxlFault).tooLarge).toBe(true);
    expect(err.message).toContain('Query request too large');
  });

  it('refuses a CUCM_URL with a path or credentials, without echoing the password', () => {
    const base = { username: 'u', password: PASSWORD, axlVersion: '12.5', tls: { trustOnFirstUse: false }, phonePort: 80, phoneScheme: 'http' as const, addressCacheSeconds: 300, risPerMinute: 10, staleAddressSeconds: 86400 };
    for (const url of ['https://cucm.example.com:8443/axl/', `https://u:${PASSWORD}@cucm.example.com:8443`, 'ftp://cucm', 'not a url']) {
      let err: unknown;
      try {
        createCallManager({ ...base, url });
      } catch (e) {
        err = e;
      }
      expect(err, url).toBeInstanceOf(InvalidCallManagerSettings);
      expect((err as Error).message).not.toContain(PASSWORD);
    }
  });
});
