/**
 * `diagnose(phone)`: the checks an IT person would do by hand, in order, each with pass/fail, what
 * was found and the next thing to try: address syntax, DNS + network policy, TCP connect, an HTTP
 * answer, DeviceInformationX, and an authenticated request.
 *
 * The authenticated request is `GET /CGI/Screenshot`: it needs the same credentials as Execute
 * (checked through the call manager's authentication URL), and it is silent and changes nothing on
 * the phone, unlike any Execute item (Play is audible, Key/Init change the screen). Vendors' remote
 * control tools use the same request as their credentials test.
 */
import { connect } from 'node:net';
import { isAppError } from '../errors.js';
import { parsePhoneAddress, phoneKey, type PhoneAddress } from './address.js';
import type { PhoneClient, PhoneTarget, RequestOptions } from './client.js';
import { PhoneAuthFailed } from './errors.js';
import type { CheckedPhoneAddress } from './network-policy.js';
import { parseReply, throwIfPhoneError } from './parse.js';
import { throwUnlessPicture } from './screenshot.js';
import { parseDeviceInformation } from './status.js';
import type { Diagnosis, DiagnosisStep, PhoneStatus } from './types.js';
import { abortReason } from './queue.js';

const WEB_ACCESS =
  'Make sure the phone is on and that Web Access is enabled on it (Settings > Security Configuration on the phone; IT can enable it in the call manager\'s phone settings).';

function fail(name: DiagnosisStep['name'], detail: string, next: string): DiagnosisStep {
  return { name, ok: false, detail, next };
}

function reason(err: unknown): { detail: string; next: string } {
  if (isAppError(err)) return { detail: err.message, next: err.hint };
  return { detail: err instanceof Error ? err.message : String(err), next: 'Try again; if it persists, report this as a bug.' };
}

function tcpConnect(ip: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port });
    const done = (err?: Error): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(Date.now() - started);
    };
    const onAbort = (): void => done(abortReason(signal!));
    const timer = setTimeout(() => done(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (e) => done(e));
  });
}

export async function diagnose(client: PhoneClient, phone: PhoneTarget, opts: RequestOptions = {}): Promise<Diagnosis> {
  const steps: DiagnosisStep[] = [];
  const finish = (status?: PhoneStatus): Diagnosis => ({ ok: steps.every((s) => s.ok), steps, ...(status ? { status } : {}) });

  // 1. address
  let addr: PhoneAddress;
  try {
    addr = parsePhoneAddress(phone.address);
    steps.push({ name: 'address', ok: true, detail: `${phoneKey(addr)}` });
  } catch (err) {
    const r = reason(err);
    steps.push(fail('address', r.detail, r.next));
    return finish();
  }
  const key = phoneKey(addr);

  // 2. DNS + network policy
  let checked: CheckedPhoneAddress;
  try {
    checked = await client.checkAddress(addr, opts.signal);
    const resolved = checked.ips[0] === addr.host ? checked.ips[0] : `${addr.host} resolves to ${checked.ips.join(', ')}`;
    steps.push({ name: 'dns', ok: true, detail: `${resolved}; allowed by the network policy` });
  } catch (err) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const r = reason(err);
    steps.push(fail('dns', r.detail, r.next));
    return finish();
  }
  const ip = checked.ips[0]!;

  // 3. TCP
  try {
    const ms = await tcpConnect(ip, addr.port, client.connectTimeoutMs, opts.signal);
    steps.push({ name: 'tcp', ok: true, detail: `${ip} port ${addr.port} accepted a connection in ${ms} ms` });
  } catch (err) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const code = (err as { code?: string }).code;
    const what = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ETIMEDOUT' ? `no answer within ${client.connectTimeoutMs} ms` : (code ?? 'failed');
    const next =
      code === 'ECONNREFUSED'
        ? `Nothing is listening on port ${addr.port}. ${WEB_ACCESS}`
        : `${WEB_ACCESS} If it is, check the address, and ask IT whether this server may reach the phone's network.`;
    steps.push(fail('tcp', `${ip} port ${addr.port}: ${what}`, next));
    return finish();
  }

  // 4. HTTP answer (no credentials: info pages need none) and 5. DeviceInformationX
  let status: PhoneStatus | undefined;
  const anonymous: PhoneTarget = { address: phone.address, ...(phone.tls ? { tls: phone.tls } : {}) };
  try {
    const started = Date.now();
    const reply = await client.get(anonymous, '/DeviceInformationX', opts);
    steps.push({ name: 'http', ok: true, detail: `the phone's web server answered HTTP ${reply.status} in ${Date.now() - started} ms` });
    try {
      throwIfPhoneError(key, reply, parseReply(reply.body, reply.contentType));
      const info = parseDeviceInformation(key, reply.body, reply.contentType);
      status = { ...info, ...(reply.certificateSha256 ? { certificateSha256: reply.certificateSha256 } : {}) };
      const parts = [info.model, info.firmware && `firmware ${info.firmware}`, info.directoryNumber && `line ${info.directoryNumber}`, info.hostName].filter(Boolean);
      steps.push({ name: 'device-info', ok: true, detail: parts.join(', ') || 'device information received' });
    } catch (err) {
      const r = reason(err);
      steps.push(
        fail('device-info', r.detail, 'The phone answered but did not describe itself. It may be a model without this page, or not a Cisco phone: check the address is really the phone.'),
      );
    }
  } catch (err) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const r = reason(err);
    steps.push(fail('http', r.detail, r.next));
    return finish();
  }

  // 6. authenticated request
  if (phone.credentials) {
    try {
      const reply = await client.get(phone, '/CGI/Screenshot', { ...opts, kind: 'image' });
      throwUnlessPicture(key, reply);
      steps.push({ name: 'auth', ok: true, detail: `the phone accepted the username "${phone.credentials.username}" and the password` });
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      const r = reason(err);
      const next =
        err instanceof PhoneAuthFailed
          ? r.next
          : r.detail.includes('HTTP 404')
            ? 'This phone does not offer screenshots, so the password could not be checked this way. Try a test ring.'
            : r.next;
      steps.push(fail('auth', r.detail, next));
    }
  }
  return finish(status);
}
