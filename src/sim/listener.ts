/**
 * Brings a phone's server up and down on one port: "web access disabled" and a crashed phone refuse
 * connections, then the phone listens again on the same port. Transitions are applied one at a time.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export class SwitchableListener {
  private readonly sockets = new Set<Socket>();
  private up = false;
  private transitions: Promise<void> = Promise.resolve();
  private portNumber: number;

  /** `wanted` is read at each transition: should the server be listening now? */
  constructor(
    private readonly server: http.Server,
    private readonly host: string,
    port: number,
    private readonly wanted: () => boolean,
  ) {
    this.portNumber = port;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** The bound port (the free one picked when 0 was asked). */
  get port(): number {
    return this.portNumber;
  }

  /** Listens or closes to match `wanted()`. Closing destroys every open connection, hanging ones included. */
  reconcile(): Promise<void> {
    const next = this.transitions.then(() => this.apply());
    this.transitions = next.catch(() => undefined);
    return next;
  }

  /** Destroys every open connection without closing the listening socket. */
  dropConnections(): void {
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private async apply(): Promise<void> {
    const want = this.wanted();
    if (want && !this.up) {
      await this.listen();
      this.up = true;
      this.portNumber = (this.server.address() as { port: number }).port;
    } else if (!want && this.up) {
      this.up = false;
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.dropConnections();
      });
    }
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ port: this.portNumber, host: this.host });
    });
  }
}
