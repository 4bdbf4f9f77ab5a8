/** Shared by the phone tests: the simulator on loopback, a client whose policy lists 127.0.0.0/8 explicitly. */
import http from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { PhoneClient, type PhoneClientOptions } from '../../src/phone/client.js';
import { createNetworkPolicy } from '../../src/phone/network-policy.js';
import type { Phone } from '../../src/phone/types.js';
import type { SimPhone, SimPhoneOptions } from '../../src/sim/index.js';
import { createLogger, type Logger } from '../../src/log.js';
import { phonesStoppedAfterEach } from '../sim/helpers.js';

export const loopbackPolicy = createNetworkPolicy(['127.0.0.0/8']);

export function testClient(options: PhoneClientOptions = {}): PhoneClient {
  return new PhoneClient({ networkPolicy: loopbackPolicy, connectTimeoutMs: 1000, responseTimeoutMs: 5000, ...options });
}

/** Call at a test file's top level: `sim()` starts a phone with short tones; all are stopped after each test, with `closers`. */
export function simPhones(): { sim: (options?: SimPhoneOptions) => Promise<SimPhone>; closers: (() => Promise<void>)[] } {
  return phonesStoppedAfterEach({ toneTimeScale: 0.01 });
}

export function phoneOf(sim: SimPhone, extra: Partial<Phone> = {}): Phone {
  return { address: sim.url, credentials: { username: sim.username, password: sim.password }, modern: true, ...extra };
}

/** A logger that keeps every line, to check nothing secret is logged. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** A tiny hostile server for answers the simulator cannot produce (exact odd bytes, redirects, huge bodies). */
export async function rawServer(handler: http.RequestListener): Promise<{ url: string; requests: http.IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A bare TCP server on loopback (for bytes no HTTP server would send); `close` destroys its open connections first. */
export async function tcpServer(onConnection: (socket: Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
