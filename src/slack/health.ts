/**
 * /healthz (the process is up) and /readyz (store open and Slack connected). Served as Bolt
 * custom routes in HTTP mode, and by a small node:http listener on HEALTH_PORT in Socket Mode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  /** Each check: true when ready. */
  checks(): Record<string, boolean>;
}

export function healthHandler(readiness: Readiness) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (path === '/readyz') {
      const checks = readiness.checks();
      const ready = Object.values(checks).every(Boolean);
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
      return;
    }
    res.writeHead(404).end();
  };
}

export async function startHealthServer(readiness: Readiness, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer(healthHandler(readiness));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
