import { describe, expect, it } from 'vitest';
import { startPhone } from '../../src/sim/index.js';
import { call, execute, executeXml, failureCode, phonesStoppedAfterEach, waitFor } from './helpers.js';

const { sim: phone } = phonesStoppedAfterEach({ toneTimeScale: 0 });

const PLAY = executeXml('Play:Classic1.raw');

describe('fault switches', () => {
  it('web access disabled refuses connections, and the phone comes back on the same port', async () => {
    const p = await phone();
    const port = p.port;
    await p.setFault('webAccessDisabled', true);
    expect(await failureCode(execute(p, PLAY))).toBe('ECONNREFUSED');
    expect(await failureCode(call(`${p.url}/DeviceInformationX`))).toBe('ECONNREFUSED');
    await p.setFault('webAccessDisabled', false);
    expect(p.port).toBe(port);
    expect((await execute(p, PLAY)).text).toContain('Status="0"');
  });

  it('web access disabled at start still reserves a port and refuses', async () => {
    const p = await phone({ faults: { webAccessDisabled: true } });
    expect(p.port).toBeGreaterThan(0);
    expect(await failureCode(execute(p, PLAY))).toBe('ECONNREFUSED');
    expect(p.requests).toHaveLength(0);
  });

  it('hang accepts and reads the request but never answers', async () => {
    const p = await phone({ faults: { hang: true } });
    const code = await failureCode(execute(p, PLAY, { signal: AbortSignal.timeout(300) }));
    expect(code).not.toBe('no failure');
    expect(p.requests).toHaveLength(1);
    expect(p.requests[0]?.xml).toBeUndefined(); // read, never processed
    expect(p.played).toEqual([]);
  });

  it('stop() ends promptly with a hanging request and the client sees the connection close', async () => {
    const p = await startPhone({ faults: { hang: true } });
    const pending = failureCode(execute(p, PLAY));
    await waitFor(() => p.inFlight === 1);
    await p.stop();
    expect(await pending).not.toBe('no failure');
    await waitFor(() => p.inFlight === 0);
    expect(await failureCode(call(`${p.url}/DeviceInformationX`))).toBe('ECONNREFUSED');
  });

  it('slowMs delays the answer but keeps it correct', async () => {
    const p = await phone({ faults: { slowMs: 250 } });
    const started = Date.now();
    const res = await execute(p, PLAY);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(res.text).toContain('Status="0"');
    await p.setFault('slowMs', 0);
    expect((await execute(p, PLAY)).text).toContain('Status="0"');
  });

  it('reset drops the connection half-way through the response (the phone did act)', async () => {
    const p = await phone();
    await p.setFault('reset', true);
    expect(await failureCode(execute(p, PLAY))).not.toBe('no failure');
    expect(p.played).toEqual(['Classic1.raw']);
    expect(await failureCode(call(`${p.url}/DeviceInformationX`))).not.toBe('no failure');
    await p.setFault('reset', false);
    expect((await call(`${p.url}/DeviceInformationX`)).status).toBe(200);
  });

  it('garbage answers 200 with a body that is not XML', async () => {
    const p = await phone({ faults: { garbage: true } });
    const res = await execute(p, PLAY);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/^\s*</);
    expect(res.text).not.toContain('Cisco');
    expect(p.played).toEqual([]);
  });

  it('http500 answers HTTP 500 on every route', async () => {
    const p = await phone();
    await p.setFault('http500', true);
    expect((await execute(p, PLAY)).status).toBe(500);
    expect((await call(`${p.url}/DeviceInformationX`)).status).toBe(500);
    await p.setFault('http500', false);
    expect((await execute(p, PLAY)).status).toBe(200);
  });

  it('refuses an unknown fault name', async () => {
    const p = await phone();
    await expect(p.setFault('nope' as 'hang', true)).rejects.toThrow(/unknown simulator fault/);
  });
});

describe('crash tones', () => {
  it('drops the connection, stays down for crashDownMs, then comes back', async () => {
    const p = await phone({ crashDownMs: 400 });
    expect(await failureCode(execute(p, executeXml('Play:Piano2.raw')))).not.toBe('no failure');
    expect(await failureCode(execute(p, PLAY))).toBe('ECONNREFUSED');
    expect(p.played).toEqual([]);
    expect(p.requests.at(-1)?.items).toEqual([{ url: 'Play:Piano2.raw', priority: 2 }]);
    await waitFor(async () => (await failureCode(call(`${p.url}/DeviceInformationX`))) === 'no failure');
    expect((await execute(p, PLAY)).text).toContain('Status="0"');
    expect(p.played).toEqual(['Classic1.raw']);
  });

  it('a crash cuts off a tone that another client was playing', async () => {
    const p = await phone({ crashDownMs: 200, toneTimeScale: 1, tones: { 'Long.raw': 2000 } });
    const playing = failureCode(execute(p, executeXml('Play:Long.raw')));
    await waitFor(() => p.inFlight === 1);
    await failureCode(execute(p, executeXml('Play:Piano2.raw')));
    expect(await playing).not.toBe('no failure');
    expect(p.played).toEqual([]);
  });

  it('uses the configured crash list', async () => {
    const p = await phone({ crashTones: ['Chime.raw'], crashDownMs: 100 });
    expect(await failureCode(execute(p, executeXml('Play:Chime.raw')))).not.toBe('no failure');
    await waitFor(async () => (await failureCode(call(`${p.url}/DeviceInformationX`))) === 'no failure');
    // Piano2.raw is now an ordinary (known) tone
    expect((await execute(p, executeXml('Play:Piano2.raw'))).text).toContain('Status="0"');
  });
});
