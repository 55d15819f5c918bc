import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.js';

export interface RedisServerOptions {
  /** AOF with `appendfsync always`: what "never lost" needs, and what a restart test relies on. */
  readonly appendOnly?: boolean;
}

/**
 * A real `redis-server` on 127.0.0.1, a free port and a temp folder, for one test file. It can be
 * stopped and started again on the same port and data folder (a Redis restart), or killed.
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'hookmux-redis-'));
  readonly #options: RedisServerOptions;
  #port = 0;
  #child: ChildProcess | undefined;
  #output = '';

  constructor(options: RedisServerOptions = {}) {
    this.#options = options;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.#port}/0`;
  }

  get output(): string {
    return this.#output;
  }

  async start(): Promise<this> {
    if (this.#port === 0) this.#port = await freePort();
    const args = [
      '--port',
      String(this.#port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.#options.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      'always',
      // An evicted key is a lost event: keys must never be evicted.
      '--maxmemory-policy',
      'noeviction',
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (c: Buffer) => (this.#output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.#output += c.toString('utf8')));
    const deadline = Date.now() + 10_000;
    while (!(await isAnswering(this.#port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on ${this.#port}:\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    return this;
  }

  /** SIGTERM: Redis flushes the AOF and exits, like `systemctl restart redis`. */
  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  /** SIGKILL: a crash; only what was fsynced survives. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  /** Stops the server and removes its data folder. */
  async destroy(): Promise<void> {
    await this.#end('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

/** A PING answered with PONG. */
function isAnswering(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (c: Buffer) => {
      answer += c.toString('utf8');
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
