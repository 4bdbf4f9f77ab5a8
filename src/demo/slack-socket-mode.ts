/**
 * Socket Mode for the Slack stand-in: the `ws` endpoint `apps.connections.open` points at, speaking
 * Slack's envelope protocol (hello, envelopes with `envelope_id`, acks with an optional payload,
 * `disconnect` before a connection is rotated).
 */
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** An app's ack, as the stand-in records calls. */
export interface AckCall {
  method: 'socket_ack';
  params: Record<string, unknown>;
  headers: Record<string, string>;
  at: number;
}

export class SocketModeServer {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly acks = new Map<string, (payload: unknown) => void>();
  private readonly connectedWaiters: ((ws: WebSocket) => void)[] = [];
  private opened = 0;
  private seq = 0;

  constructor(
    server: Server,
    private readonly record: (call: AckCall) => void,
  ) {
    this.wss = new WebSocketServer({ server, path: '/socket' });
    this.wss.on('connection', (ws) => this.onSocket(ws));
  }

  /** Resolves when an app has connected (after `hello`): the newest open connection. */
  connected(): Promise<WebSocket> {
    const open = [...this.sockets].filter((ws) => ws.readyState === ws.OPEN).at(-1);
    if (open) return Promise.resolve(open);
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Pushes an envelope to the connected app and resolves with the app's ack payload. */
  async push(type: EnvelopeType, payload: unknown, timeoutMs = 10_000): Promise<unknown> {
    const ws = await this.connected();
    const envelopeId = `env-${++this.seq}`;
    const acked = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Slack stand-in: envelope ${envelopeId} not acked within ${timeoutMs} ms`)), timeoutMs);
      this.acks.set(envelopeId, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    ws.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: type !== 'events_api', payload }));
    return acked;
  }

  /** Asks every connected app to reconnect, as Slack does before it rotates a connection. */
  requestReconnect(): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'slack-standin' } }));
  }

  /** Resolves when `n` connections have been opened in total; fails saying how many were. */
  async connectionsOpened(n: number, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.opened < n) {
      if (Date.now() > end) throw new Error(`Slack stand-in: ${this.opened} Socket Mode connections, expected ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onSocket(ws: WebSocket): void {
    this.opened += 1;
    ws.on('message', (data) => {
      try {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) {
          this.record({ method: 'socket_ack', params: { envelope_id: msg.envelope_id, payload: msg.payload }, headers: {}, at: Date.now() });
          this.acks.get(msg.envelope_id)?.(msg.payload ?? {});
          this.acks.delete(msg.envelope_id);
        }
      } catch {
        /* not JSON: ignore, as Slack would */
      }
    });
    ws.on('close', () => this.sockets.delete(ws));
    this.sockets.add(ws);
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'slack-standin' }, connection_info: { app_id: 'A1' } }));
    for (const w of this.connectedWaiters.splice(0)) w(ws);
  }
}
