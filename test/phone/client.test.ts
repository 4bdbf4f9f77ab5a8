import { describe, expect, it } from 'vitest';
import { PhoneClient } from '../../src/phone/client.js';
import { createNetworkPolicy } from '../../src/phone/network-policy.js';
import {
  ObjectTooLarge,
  PhoneAddressRefused,
  PhoneAuthFailed,
  PhoneBadResponse,
  PhoneConnectionLost,
  PhoneRejected,
  PhoneTimeout,
  PhoneUnreachable,
} from '../../src/phone/errors.js';
import { capturingLogger, loopbackPolicy, phoneOf, rawServer, simPhones, tcpServer, testClient } from './helpers.js';

const { sim, closers } = simPhones();

const PLAY = [{ url: 'Play:Classic1.raw', priority: 2 as const }];

describe('PhoneClient.execute: the exact request', () => {
  it('sends POST /CGI/Execute with the form body, Basic auth, no Expect, Host and Connection: close', async () => {
    const phone = await sim();
    const result = await testClient().execute(phoneOf(phone), PLAY);
    expect(result.items).toEqual([{ status: 0, data: 'Success', url: 'Play:Classic1.raw' }]);
    expect(phone.requests).toHaveLength(1);
    const req = phone.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/CGI/Execute');
    expect(req.rawBody.toString('latin1')).toBe(
      'XML=%3C%3Fxml+version%3D%221.0%22+encoding%3D%22UTF-8%22%3F%3E%3CCiscoIPPhoneExecute%3E%3CExecuteItem+Priority%3D%222%22+URL%3D%22Play%3AClassic1.raw%22%2F%3E%3C%2FCiscoIPPhoneExecute%3E',
    );
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['content-length']).toBe(String(req.rawBody.length));
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('rescue:ring-ring').toString('base64')}`);
    expect(req.headers.expect).toBeUndefined();
    expect(req.headers.host).toBe(phone.address);
    expect(req.headers.connection).toBe('close');
    expect(req.items).toEqual([{ url: 'Play:Classic1.raw', priority: 2 }]);
    expect(phone.played).toEqual(['Classic1.raw']);
  });

  it('sends auth on every request, each on a fresh connection', async () => {
    const phone = await sim();
    const client = testClient();
    await client.execute(phoneOf(phone), PLAY);
    await client.execute(phoneOf(phone), PLAY);
    expect(phone.requests.map((r) => r.authorized)).toEqual([true, true]);
    expect(phone.requests.every((r) => r.headers.connection === 'close')).toBe(true);
  });

  it('pushes a CiscoIPPhoneText the phone displays', async () => {
    const phone = await sim();
    await testClient().pushText(phoneOf(phone), { title: 'Rescue & co', text: 'Your <meeting> is over' });
    expect(phone.requests[0]!.xml).toContain('<Title>Rescue &amp; co</Title>');
    expect(phone.display.title).toBe('Rescue & co');
  });

  it('refuses an oversize object for a legacy phone before sending anything', async () => {
    const phone = await sim({ modern: false });
    const err = await testClient()
      .pushText(phoneOf(phone, { modern: false }), { text: 'x'.repeat(600) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectTooLarge);
    expect(phone.requests).toHaveLength(0);
  });
});

describe('PhoneClient: every failure is a named error with a hint', () => {
  it('wrong password (200 + CiscoIPPhoneError 4) is PhoneAuthFailed, and no secret leaks', async () => {
    const phone = await sim();
    const { logger, lines } = capturingLogger();
    const err = await testClient({ logger })
      .execute(phoneOf(phone, { credentials: { username: 'rescue', password: 'S3cret-Pa55' } }), PLAY)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneAuthFailed);
    expect((err as PhoneAuthFailed).message).toMatch(/CiscoIPPhoneError 4/);
    expect((err as PhoneAuthFailed).hint).toMatch(/associated with this phone.*Authentication URL/);
    const everything = [String(err), (err as PhoneAuthFailed).hint, JSON.stringify(err), ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain('S3cret-Pa55');
    expect(everything).not.toContain(Buffer.from('rescue:S3cret-Pa55').toString('base64'));
  });

  it('wrong password on a 7940-style phone (401) is PhoneAuthFailed', async () => {
    const phone = await sim({ authFailure: '401' });
    await expect(testClient().execute(phoneOf(phone, { credentials: { username: 'x', password: 'y' } }), PLAY)).rejects.toThrow(/HTTP 401/);
  });

  it('a 200 whose CiscoIPPhoneError has an unreadable number is PhoneRejected, not a ring', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('<CiscoIPPhoneError Number="busy">try later</CiscoIPPhoneError');
    });
    closers.push(srv.close);
    const err = await testClient()
      .execute({ address: srv.url, credentials: { username: 'u', password: 'p' } }, PLAY)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneRejected);
    expect((err as Error).message).toMatch(/CiscoIPPhoneError whose number could not be read/);
  });

  it('an unknown tone is PhoneRejected (Status 6) with a ringtone hint', async () => {
    const phone = await sim();
    const err = await testClient().execute(phoneOf(phone), [{ url: 'Play:NoSuchTone.raw' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneRejected);
    expect((err as PhoneRejected).hint).toMatch(/NoSuchTone\.raw.*Settings > Ring Type/);
  });

  it('an object too big for a legacy phone wrongly marked modern is PhoneRejected (Number 1) with a length hint', async () => {
    const phone = await sim({ modern: false });
    const err = await testClient().pushText(phoneOf(phone, { modern: true }), { text: 'x'.repeat(600) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneRejected);
    expect((err as PhoneRejected).errorNumber).toBe(1);
    expect((err as PhoneRejected).hint).toMatch(/too long for this model/);
  });

  it('a CiscoIPPhoneText on a phone that rejects it is PhoneRejected (Number 1)', async () => {
    const phone = await sim({ rejectText: true });
    const err = await testClient().pushText(phoneOf(phone), { text: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneRejected);
    expect((err as PhoneRejected).errorNumber).toBe(1);
  });

  it('web access disabled is PhoneUnreachable pointing at Settings > Security Configuration', async () => {
    const phone = await sim({ faults: { webAccessDisabled: true } });
    const err = await testClient().execute(phoneOf(phone), PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneUnreachable);
    expect((err as Error).message).toMatch(/connection refused/);
    expect((err as PhoneUnreachable).hint).toMatch(/Web Access.*Settings > Security Configuration/);
  });

  it('a hanging phone is PhoneTimeout (response), and the next request still works', async () => {
    const phone = await sim({ faults: { hang: true } });
    const client = testClient({ responseTimeoutMs: 200 });
    const err = await client.execute(phoneOf(phone), PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneTimeout);
    expect((err as PhoneTimeout).phase).toBe('response');
    expect((err as PhoneTimeout).hint).toMatch(/did not answer in time/);
    await phone.setFault('hang', false);
    await expect(client.execute(phoneOf(phone), PLAY)).resolves.toMatchObject({ items: [{ status: 0 }] });
  });

  it('a slow phone within the response timeout succeeds; beyond it times out', async () => {
    const phone = await sim({ faults: { slowMs: 150 } });
    await expect(testClient({ responseTimeoutMs: 5000 }).execute(phoneOf(phone), PLAY)).resolves.toMatchObject({ items: [{ status: 0 }] });
    await phone.setFault('slowMs', 3000);
    await expect(testClient({ responseTimeoutMs: 100 }).execute(phoneOf(phone), PLAY)).rejects.toBeInstanceOf(PhoneTimeout);
  });

  it('a per-request response timeout overrides the client default', async () => {
    const phone = await sim({ faults: { slowMs: 3000 } });
    await expect(testClient({ responseTimeoutMs: 60_000 }).execute(phoneOf(phone), PLAY, { responseTimeoutMs: 100 })).rejects.toBeInstanceOf(PhoneTimeout);
  });

  it('a TLS phone that accepts TCP but never completes the handshake is PhoneTimeout (connect)', async () => {
    // Accepts the connection and never answers the TLS handshake.
    const { port, close } = await tcpServer(() => undefined);
    closers.push(close);
    const err = await testClient({ connectTimeoutMs: 150, responseTimeoutMs: 60_000 })
      .execute({ address: `https://127.0.0.1:${port}`, credentials: { username: 'u', password: 'p' } }, PLAY)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneTimeout);
    expect((err as PhoneTimeout).phase).toBe('connect');
    expect((err as Error).message).toMatch(/Connecting to phone https:\/\/127\.0\.0\.1:\d+ timed out after 150 ms/);
  });

  it('a reset mid-response is PhoneConnectionLost', async () => {
    const phone = await sim({ faults: { reset: true } });
    const err = await testClient().execute(phoneOf(phone), PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneConnectionLost);
    expect((err as PhoneConnectionLost).hint).toMatch(/dropped the connection/);
  });

  it('a garbage body is PhoneBadResponse', async () => {
    const phone = await sim({ faults: { garbage: true } });
    await expect(testClient().execute(phoneOf(phone), PLAY)).rejects.toThrow(PhoneBadResponse);
  });

  it('HTTP 500 is PhoneBadResponse naming the status', async () => {
    const phone = await sim({ faults: { http500: true } });
    await expect(testClient().execute(phoneOf(phone), PLAY)).rejects.toThrow(/answered HTTP 500/);
  });

  it('a tone that crashes the phone is PhoneConnectionLost, then the phone is unreachable while down', async () => {
    const phone = await sim({ crashTones: ['Bass.raw'], crashDownMs: 60_000 });
    const client = testClient();
    await expect(client.execute(phoneOf(phone), [{ url: 'Play:Bass.raw' }])).rejects.toBeInstanceOf(PhoneConnectionLost);
    await expect(client.execute(phoneOf(phone), PLAY)).rejects.toBeInstanceOf(PhoneUnreachable);
  });

  it('never follows a redirect (3xx is PhoneBadResponse with a hint)', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(303, { Location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
    });
    closers.push(srv.close);
    const err = await testClient()
      .execute({ address: srv.url, credentials: { username: 'u', password: 'p' } }, PLAY)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneBadResponse);
    expect((err as Error).message).toMatch(/redirect \(HTTP 303/);
    expect((err as PhoneBadResponse).hint).toMatch(/https:\/\//);
    expect(srv.requests).toHaveLength(1);
  });

  it('caps bodies: 64 KiB for XML, 4 MiB for images', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x41);
    const srv = await rawServer((req, res) => {
      res.writeHead(200, { 'Content-Type': req.url === '/CGI/Execute' ? 'text/xml' : 'image/bmp' });
      if (req.url === '/chunked') {
        res.write(big.subarray(0, 3 * 1024 * 1024));
        res.end(big.subarray(0, 3 * 1024 * 1024));
      } else res.end(req.url === '/small' ? big.subarray(0, 3 * 1024 * 1024) : big);
    });
    closers.push(srv.close);
    const phone = { address: srv.url, credentials: { username: 'u', password: 'p' } };
    const client = testClient();
    await expect(client.execute(phone, PLAY)).rejects.toThrow(/more than 65536 bytes/);
    await expect(client.get(phone, '/big', { kind: 'image' })).rejects.toThrow(/more than 4194304 bytes/);
    await expect(client.get(phone, '/chunked', { kind: 'image' })).rejects.toThrow(/more than 4194304 bytes/);
    await expect(client.get(phone, '/small', { kind: 'xml' })).rejects.toThrow(/more than 65536 bytes/);
    expect((await client.get(phone, '/small', { kind: 'image' })).body.length).toBe(3 * 1024 * 1024);
  });

  it('parses hostile but valid replies (duplicate declarations, stray &, mixed case, text/html)', async () => {
    const body =
      '<?xml version="1.0"?>\n<?XML version="1.0" encoding="utf-8"?><ciscoipphoneRESPONSE><responseITEM url="Play:Chime.raw" data="a & b <ok>" STATUS="0"/></ciscoipphoneRESPONSE>';
    const srv = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(body);
    });
    closers.push(srv.close);
    const r = await testClient().execute({ address: srv.url, credentials: { username: 'u', password: 'p' } }, [{ url: 'Play:Chime.raw' }]);
    expect(r.items).toEqual([{ status: 0, url: 'Play:Chime.raw', data: 'a & b <ok>' }]);
  });

  it('a GET without credentials sends no Authorization header', async () => {
    const phone = await sim();
    const reply = await testClient().get({ address: phone.address }, '/DeviceInformationX');
    expect(reply.status).toBe(200);
    expect(phone.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('PhoneClient: one request per phone, abort everywhere', () => {
  it('keeps at most one request in flight per phone and serves them in order', async () => {
    const phone = await sim({ toneTimeScale: 0.05 });
    const client = testClient();
    const tones = ['Classic1.raw', 'Chime.raw', 'Analog1.raw', 'Vibe.raw', 'Pop.raw'];
    await Promise.all(tones.map((t) => client.execute(phoneOf(phone), [{ url: `Play:${t}` }])));
    expect(phone.maxInFlight).toBe(1);
    expect(phone.played).toEqual(tones);
  });

  it('treats http://HOST:80 and HOST as the same phone (normalized key)', async () => {
    const phone = await sim({ toneTimeScale: 0.05 });
    const client = testClient();
    const forms = [phone.address, phone.url, `${phone.url}/`, `HTTP://${phone.address}`];
    await Promise.all(forms.map((address) => client.execute({ ...phoneOf(phone), address }, PLAY)));
    expect(phone.maxInFlight).toBe(1);
    expect(phone.played).toHaveLength(4);
  });

  it('treats a phone registered by name and by its address as one phone (the queue follows the resolved address)', async () => {
    const phone = await sim({ toneTimeScale: 0.05 });
    const client = testClient({ lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    const forms = [`phone-5.test:${phone.port}`, phone.address, `phone-5-alias.test:${phone.port}`];
    await Promise.all(forms.map((address) => client.execute({ ...phoneOf(phone), address }, PLAY)));
    expect(phone.maxInFlight).toBe(1);
    expect(phone.played).toHaveLength(3);
  });

  it('keeps one request at a time for a name whose DNS answers come back in a different order each time', async () => {
    const phone = await sim({ toneTimeScale: 0.05 }); // listens on 127.0.0.1 only, so 127.0.0.2 refuses
    const orders = [
      ['127.0.0.1', '127.0.0.2'],
      ['127.0.0.2', '127.0.0.1'],
    ];
    let lookups = 0;
    const client = testClient({ lookup: async () => orders[lookups++ % 2]!.map((address) => ({ address, family: 4 })) });
    const target = phoneOf(phone, { address: `round-robin.test:${phone.port}` });
    await Promise.all([0, 1, 2, 3].map(() => client.execute(target, PLAY)));
    expect(lookups).toBe(4);
    expect(phone.maxInFlight).toBe(1);
    expect(phone.played).toHaveLength(4);
  });

  it('a hanging phone does not hold up another phone', async () => {
    const stuck = await sim({ faults: { hang: true } });
    const fine = await sim();
    const client = testClient({ responseTimeoutMs: 60_000 });
    const ac = new AbortController();
    const pending = client.execute(phoneOf(stuck), PLAY, { signal: ac.signal }).catch((e: unknown) => e);
    await expect(client.execute(phoneOf(fine), PLAY)).resolves.toMatchObject({ items: [{ status: 0 }] });
    ac.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
  });

  it('abort while queued removes the request; the phone never sees it', async () => {
    const phone = await sim({ faults: { slowMs: 300 } });
    const client = testClient();
    const first = client.execute(phoneOf(phone), PLAY);
    const ac = new AbortController();
    const second = client.execute(phoneOf(phone), [{ url: 'Play:Chime.raw' }], { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort();
    expect(((await second) as Error).name).toBe('AbortError');
    await first;
    expect(phone.requests.map((r) => r.items?.[0]?.url)).toEqual(['Play:Classic1.raw']);
  });

  it('abort in flight rejects with the abort reason and frees the phone', async () => {
    const phone = await sim({ faults: { hang: true } });
    const client = testClient({ responseTimeoutMs: 60_000 });
    const ac = new AbortController();
    const p = client.execute(phoneOf(phone), PLAY, { signal: ac.signal }).catch((e: unknown) => e);
    while (phone.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort(new Error('stopped by user'));
    expect(((await p) as Error).message).toBe('stopped by user');
    await phone.setFault('hang', false);
    await expect(client.execute(phoneOf(phone), PLAY)).resolves.toBeDefined();
  });

  it('an already-aborted signal sends nothing', async () => {
    const phone = await sim();
    await expect(testClient().execute(phoneOf(phone), PLAY, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(phone.requests).toHaveLength(0);
  });
});

describe('PhoneClient: network policy', () => {
  it('refuses loopback by default and sends nothing', async () => {
    const phone = await sim();
    const err = await new PhoneClient().execute(phoneOf(phone), PLAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneAddressRefused);
    expect((err as PhoneAddressRefused).hint).toMatch(/127\.0\.0\.0\/8/);
    expect(phone.requests).toHaveLength(0);
  });

  it('connects to the checked address of a DNS name, with the name in Host (one lookup per request)', async () => {
    const phone = await sim();
    const lookups: string[] = [];
    const client = testClient({
      lookup: async (host) => {
        lookups.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    await client.execute(phoneOf(phone, { address: `phone-7.test:${phone.port}` }), PLAY);
    expect(lookups).toEqual(['phone-7.test']);
    expect(phone.requests[0]!.headers.host).toBe(`phone-7.test:${phone.port}`);
  });

  it('reaches an IPv6 phone ([::1]:port) when ::1/128 is listed, with a bracketed Host header', async () => {
    const phone = await sim({ host: '::1' });
    const client = new PhoneClient({ networkPolicy: createNetworkPolicy(['::1/128']) });
    await client.execute(phoneOf(phone, { address: `[::1]:${phone.port}` }), PLAY);
    expect(phone.requests[0]!.headers.host).toBe(`[::1]:${phone.port}`);
    await expect(testClient().execute(phoneOf(phone, { address: `[::1]:${phone.port}` }), PLAY)).rejects.toThrow(/::1 is a loopback address/);
  });

  it('tries the next checked address when one refuses the connection', async () => {
    const phone = await sim(); // listens on 127.0.0.1 only, so 127.0.0.2 refuses
    const client = testClient({
      lookup: async () => [
        { address: '127.0.0.2', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    await expect(client.execute(phoneOf(phone, { address: `two.test:${phone.port}` }), PLAY)).resolves.toMatchObject({ items: [{ status: 0 }] });
    expect(phone.requests).toHaveLength(1);
    const onlyBad = testClient({ lookup: async () => [{ address: '127.0.0.2', family: 4 }] });
    await expect(onlyBad.execute(phoneOf(phone, { address: `bad.test:${phone.port}` }), PLAY)).rejects.toBeInstanceOf(PhoneUnreachable);
  });

  it('a DNS lookup that never answers honours the abort signal and the connect timeout', async () => {
    const phone = await sim();
    const silentDns = (): Promise<{ address: string; family: number }[]> => new Promise(() => undefined);
    const client = testClient({ lookup: silentDns, connectTimeoutMs: 50 });
    const target = phoneOf(phone, { address: `silent.test:${phone.port}` });
    const timedOut = await client.execute(target, PLAY).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(PhoneUnreachable);
    expect((timedOut as PhoneUnreachable).message).toMatch(/silent\.test could not be resolved \(no DNS answer within 50 ms\)/);
    const patient = testClient({ lookup: silentDns, connectTimeoutMs: 60_000 });
    const ac = new AbortController();
    const pending = patient.execute(target, PLAY, { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort(new Error('stopped by user'));
    expect(((await pending) as Error).message).toBe('stopped by user');
    // The phone is free again for the next caller, and was never contacted.
    await expect(testClient().execute(phoneOf(phone), PLAY)).resolves.toMatchObject({ items: [{ status: 0 }] });
    expect(phone.requests).toHaveLength(1);
  });

  it('refuses a DNS name that resolves to a refused address, even when another address is fine', async () => {
    const phone = await sim();
    const client = testClient({
      lookup: async () => [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    await expect(client.execute(phoneOf(phone, { address: `meta.test:${phone.port}` }), PLAY)).rejects.toThrow(/169\.254\.169\.254.*link-local/);
    expect(phone.requests).toHaveLength(0);
    expect(client.networkPolicy).toBe(client.networkPolicy);
    expect(loopbackPolicy.allowed).toEqual(['127.0.0.0/8']);
  });
});
