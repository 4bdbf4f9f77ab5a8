import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { screenshot } from '../../src/phone/screenshot.js';
import { status } from '../../src/phone/status.js';
import { diagnose } from '../../src/phone/diagnose.js';
import { PhoneAuthFailed, PhoneBadResponse } from '../../src/phone/errors.js';
import { phoneOf, rawServer, simPhones, testClient } from './helpers.js';

const { sim, closers } = simPhones();

describe('screenshot', () => {
  it.each(['bmp', 'png', 'cip'] as const)('turns a %s screenshot into a PNG with the right size, with auth', async (format) => {
    const phone = await sim({ screenshotFormat: format, model: format === 'cip' ? 'CP-7960' : 'CP-8845' });
    const shot = await screenshot(testClient(), phoneOf(phone));
    expect(shot.sourceFormat).toBe(format);
    const png = PNG.sync.read(shot.png);
    // The simulator's screens: 800x480 like an 8845 (BMP or PNG), 133x65 like a 7960 (CIP).
    const size = format === 'cip' ? [133, 65] : [800, 480];
    expect([png.width, png.height]).toEqual(size);
    expect([shot.width, shot.height]).toEqual(size);
    expect(phone.requests[0]!.path).toBe('/CGI/Screenshot');
    expect(phone.requests[0]!.authorized).toBe(true);
  });

  it('a CiscoIPPhoneError 4 body from Screenshot is PhoneAuthFailed', async () => {
    const phone = await sim();
    await expect(screenshot(testClient(), phoneOf(phone, { credentials: { username: 'rescue', password: 'bad' } }))).rejects.toBeInstanceOf(PhoneAuthFailed);
  });

  it('an error labelled image/bmp is still read as the error it is (the bytes decide, not the header)', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/bmp' });
      res.end('<CiscoIPPhoneError Number="4"/>');
    });
    closers.push(srv.close);
    await expect(screenshot(testClient(), { address: srv.url, credentials: { username: 'u', password: 'p' } })).rejects.toBeInstanceOf(PhoneAuthFailed);
  });

  it('undecodable image bytes are PhoneBadResponse', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'image/bmp' });
      res.end(Buffer.from('BM this is not really a bitmap'));
    });
    closers.push(srv.close);
    const err = await screenshot(testClient(), { address: srv.url, credentials: { username: 'u', password: 'p' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneBadResponse);
    expect((err as PhoneBadResponse).hint).toMatch(/format/);
  });
});

describe('status', () => {
  it('reads DeviceInformationX and the call state', async () => {
    const phone = await sim({ model: 'CP-7975' });
    const s = await status(testClient(), { address: phone.address });
    expect(s.model).toBe('CP-7975');
    expect(s.hostName).toMatch(/^SEP[0-9A-F]{12}$/);
    expect(s.macAddress).toMatch(/^[0-9A-F]{12}$/);
    expect(s.directoryNumber).toMatch(/^\d+$/);
    expect(s.firmware).toBeTruthy();
    expect(s.messageWaiting).toBe(false);
    expect(s.inCall).toBe(false);
    phone.setOnCall(true);
    expect((await status(testClient(), { address: phone.address })).inCall).toBe(true);
  });

  it('leaves inCall undefined when StreamingStatisticsX is missing (404)', async () => {
    const phone = await sim({ noStreamingStats: true });
    const s = await status(testClient(), { address: phone.address });
    expect(s.model).toBeDefined();
    expect(s.inCall).toBeUndefined();
  });

  it('parses names and values case-insensitively (MessageWaiting YES, PHONEDN)', async () => {
    const srv = await rawServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        req.url === '/DeviceInformationX'
          ? '<?xml version="1.0"?><?xml version="1.0"?><deviceinformation><MODELNUMBER>CP-6941</MODELNUMBER><PHONEDN>5920</PHONEDN><messagewaiting>YES</messagewaiting><appLoadID>SCCP 1.2.2.6</appLoadID></deviceinformation>'
          : '<streamingStatistics><streamstatus>ACTIVE</streamstatus></streamingStatistics>',
      );
    });
    closers.push(srv.close);
    expect(await status(testClient(), { address: srv.url })).toEqual({
      model: 'CP-6941',
      directoryNumber: '5920',
      messageWaiting: true,
      firmware: 'SCCP 1.2.2.6',
      inCall: true,
    });
  });
});

describe('diagnose', () => {
  it('healthy phone: every step passes', async () => {
    const phone = await sim();
    const d = await diagnose(testClient(), phoneOf(phone));
    expect(d.steps.map((s) => [s.name, s.ok])).toEqual([
      ['address', true],
      ['dns', true],
      ['tcp', true],
      ['http', true],
      ['device-info', true],
      ['auth', true],
    ]);
    expect(d.ok).toBe(true);
    expect(d.status?.model).toBe('CP-8845');
  });

  it('web access disabled: stops at TCP with the Web Access advice', async () => {
    const phone = await sim({ faults: { webAccessDisabled: true } });
    const d = await diagnose(testClient(), phoneOf(phone));
    expect(d.ok).toBe(false);
    const last = d.steps.at(-1)!;
    expect(last).toMatchObject({ name: 'tcp', ok: false });
    expect(last.detail).toMatch(/connection refused/);
    expect(last.next).toMatch(/Web Access.*Settings > Security Configuration/);
  });

  it('wrong password: everything passes but auth, with the credentials advice', async () => {
    const phone = await sim();
    const d = await diagnose(testClient(), phoneOf(phone, { credentials: { username: 'rescue', password: 'wrong-one' } }));
    expect(d.steps.filter((s) => !s.ok).map((s) => s.name)).toEqual(['auth']);
    expect(d.steps.at(-1)!.next).toMatch(/associated with this phone/);
    expect(JSON.stringify(d)).not.toContain('wrong-one');
  });

  it('a refused address fails at the DNS/policy step; a bad address at the address step', async () => {
    const phone = await sim();
    const refused = await diagnose(testClient({ lookup: async () => [{ address: '169.254.169.254', family: 4 }] }), phoneOf(phone, { address: 'meta.test' }));
    expect(refused.steps.map((s) => [s.name, s.ok])).toEqual([
      ['address', true],
      ['dns', false],
    ]);
    expect(refused.steps[1]!.next).toMatch(/PHONE_ALLOWED_NETWORKS/);
    const bad = await diagnose(testClient(), phoneOf(phone, { address: 'http://x:y:z' }));
    expect(bad.steps).toMatchObject([{ name: 'address', ok: false }]);
  });

  it('a hanging phone fails at the HTTP step with a timeout', async () => {
    const phone = await sim({ faults: { hang: true } });
    const d = await diagnose(testClient({ responseTimeoutMs: 200 }), phoneOf(phone));
    expect(d.steps.at(-1)).toMatchObject({ name: 'http', ok: false });
    expect(d.steps.at(-1)!.detail).toMatch(/did not answer within 200 ms/);
  });

  it('a password refusal labelled image/bmp fails the auth step', async () => {
    const srv = await rawServer((req, res) => {
      if (req.url === '/DeviceInformationX') {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end('<DeviceInformation><modelNumber>CP-8845</modelNumber></DeviceInformation>');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/bmp' });
      res.end('<CiscoIPPhoneError Number="4"/>');
    });
    closers.push(srv.close);
    const d = await diagnose(testClient(), { address: srv.url, credentials: { username: 'u', password: 'p' } });
    expect(d.steps.filter((s) => !s.ok).map((s) => s.name)).toEqual(['auth']);
    expect(d.steps.at(-1)!.detail).toMatch(/CiscoIPPhoneError 4/);
  });

  it('without credentials the auth step is skipped', async () => {
    const phone = await sim();
    const d = await diagnose(testClient(), { address: phone.address });
    expect(d.steps.map((s) => s.name)).not.toContain('auth');
    expect(d.ok).toBe(true);
  });
});
