import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The part every fake robot shares: an HTTP server on 127.0.0.1 with a free port, that on
 * `stop()` closes kept-alive connections (clients hold them) and drops answers still scheduled
 * with `later()` (delayed answers, for timeout tests).
 */
export class LocalHttpServer {
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: Server | undefined;
  #port = 0;

  constructor(
    private readonly name: string,
    private readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      // A client that gives up mid-body is not the fake's failure; just drop the connection.
      this.handle(req, res).catch(() => req.socket.destroy());
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get baseUrl(): string {
    if (this.#server === undefined) throw new Error(`${this.name} is not started`);
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Runs `work` after `ms`, unless the server stops first. */
  later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      work();
    }, ms);
    this.#timers.add(timer);
  }
}
