import { describe, expect, it } from 'vitest';
import { AppError, errorClass } from '../../src/errors.js';
import * as E from '../../src/phone/errors.js';


const samples: AppError[] = [
  new E.InvalidPhoneAddress('bad address'),
  new E.PhoneAddressRefused('refused', '8.8.8.8'),
  new E.InvalidNetworkPolicy('bad policy'),
  new E.PhoneUnreachable('refused'),
  new E.PhoneTimeout('slow', 'connect'),
  new E.PhoneTimeout('slow', 'response'),
  new E.PhoneAuthFailed('401'),
  E.PhoneRejected.fromErrorNumber('http://10.0.0.1:80', 1),
  E.PhoneRejected.fromErrorNumber('http://10.0.0.1:80', 3),
  E.PhoneRejected.fromItems('http://10.0.0.1:80', [{ status: 6, data: 'URI not found', url: 'Play:X.raw' }]),
  E.PhoneRejected.fromItems('http://10.0.0.1:80', [{ status: 6, data: 'URI not found', url: 'Key:X' }]),
  E.PhoneRejected.fromItems('http://10.0.0.1:80', [{ status: 1, data: 'Invalid URI', url: 'Key:X' }]),
  new E.PhoneBadResponse('garbage'),
  new E.PhoneConnectionLost('reset'),
  new E.InvalidTone('bad tone'),
  new E.ToneDenied('Piano2.raw'),
  new E.InvalidPhoneText('bell'),
  new E.ObjectTooLarge(600, 512),
  new E.ObjectTooLarge(50_000, 40_960),
  new E.PhoneCertificateChanged('https://10.0.0.1:443', 'AA', 'BB'),
  new E.PhoneTlsFailed('handshake'),
  new E.InvalidPhoneCommand('4 items'),
];

describe('phone error taxonomy', () => {
  it('covers every exported class', () => {
    const classes = Object.values(E).filter((v) => typeof v === 'function');
    for (const c of classes) expect(samples.some((s) => s instanceof (c as new (...a: never[]) => AppError))).toBe(true);
  });

  it.each(samples.map((s) => [s.code, s] as const))('%s is an AppError with a stable code and an office-worker hint', (_code, err) => {
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(err.constructor.name);
    expect(err.name).toBe(err.constructor.name);
    expect(errorClass(err)).toBe(err.code);
    expect(err.hint.length).toBeGreaterThan(40);
    expect(err.hint).toMatch(/[.!?)]$/);
  });

  it('hints differ where the causes differ', () => {
    expect(new E.PhoneTimeout('x', 'connect').hint).toMatch(/Web Access/);
    expect(new E.PhoneTimeout('x', 'response').hint).toMatch(/did not answer in time/);
    expect(new E.ObjectTooLarge(600, 512).hint).toMatch(/modern/);
    expect(new E.PhoneUnreachable('x').hint).toMatch(/Settings > Security Configuration/);
  });
});
