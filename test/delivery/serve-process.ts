import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { RedisServer } from '../helpers/redis-server.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mainJs = join(repo, 'core/lib/cli/main.js');

export const secret = 'delivery-acceptance-secret';
const timestampBase = Date.now() - 30 * 60_000;

export { freePort } from '../helpers/free-port.js';

/** Every acceptance test in this folder runs once per backend, from the same test code. */
export const backends = ['sqlite', 'redis'] as const;
export type Backend = (typeof backends)[number];

export interface Storage {
  readonly backend: Backend;
  /** The config's `storage:` value. */
  readonly yaml: string;
  /** The test's own redis-server (AOF on, `appendfsync always`), for the redis backend. */
  readonly redis: RedisServer | undefined;
  destroy(): Promise<void>;
}

/** The outbox for one test: a SQLite file beside the config, or a fresh redis-server. */
export async function startStorage(backend: Backend): Promise<Storage> {
  if (backend === 'sqlite') {
    return {
      backend,
      yaml: '{ type: sqlite, path: ./data/hookmux.db }',
      redis: undefined,
      destroy: () => Promise.resolve(),
    };
  }
  const redis = await new RedisServer({ appendOnly: true }).start();
  return {
    backend,
    yaml: `{ type: redis, url: "${redis.url}" }`,
    redis,
    destroy: () => redis.destroy(),
  };
}

/** A temp folder with hookmux.yaml; the outbox lives beside it (`./data/hookmux.db`). */
export function writeConfig(yaml: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-delivery-'));
  const file = join(dir, 'hookmux.yaml');
  writeFileSync(file, yaml);
  return { dir, file };
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** SIGKILL: no shutdown code runs, like a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** `node core/lib/cli/main.js serve -c FILE` as its own process, resolved once it listens. */
export async function spawnServe(file: string, port: number): Promise<ServeProcess> {
  if (!existsSync(mainJs))
    throw new Error(`${mainJs} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [mainJs, 'serve', '-c', file], {
    cwd: dirname(file),
    env: { PATH: process.env['PATH'] ?? '', HOOKMUX_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let gone = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      gone = true;
      resolve(code);
    }),
  );
  // Polling /healthz rather than reading the log: the config may quiet the log.
  const deadline = Date.now() + 20_000;
  while (!gone && !(await isHealthy(port))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hookmux serve did not listen within 20 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (gone) throw new Error(`hookmux serve exited with ${String(await exited)}:\n${output}`);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * `hookmux worker -c FILE`: no HTTP to poll, so it resolves once the process runs; delivery shows
 * when it dispatches.
 */
export function spawnWorker(file: string): ServeProcess {
  if (!existsSync(mainJs))
    throw new Error(`${mainJs} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [mainJs, 'worker', '-c', file], {
    cwd: dirname(file),
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url: '',
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function isHealthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Runs one `hookmux` command to completion (e.g. `deliveries list`). */
export function runHookmux(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mainJs, ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

export interface DeadLetters {
  list(): Promise<{ sink: string; lastError?: { code?: string } }[]>;
  /** Resolves to the number replayed. */
  replayAll(): Promise<number>;
}

/** Dead letters as a user reaches them: `hookmux deliveries` beside the running server, for either backend. */
export function deadLetters(file: string, dir: string): DeadLetters {
  return {
    async list() {
      const listed = await runHookmux(['deliveries', 'list', '--status', 'dead', '--json', '-c', file], dir);
      if (listed.code !== 0 || listed.err !== '')
        throw new Error(`deliveries list: ${listed.code} ${listed.err}`);
      return JSON.parse(listed.out) as { sink: string; lastError?: { code?: string } }[];
    },
    async replayAll() {
      const replay = await runHookmux(['deliveries', 'replay', '--dead', '-c', file], dir);
      const count = /replayed (\d+) dead deliveries/.exec(replay.out)?.[1];
      if (replay.code !== 0 || count === undefined)
        throw new Error(`deliveries replay: ${replay.code} ${replay.err}`);
      return Number(count);
    },
  };
}

/** A token only push number `seq` carries, in its commit message. */
export function pushToken(seq: number): string {
  return `hmx-push-${seq}-end`;
}

export function pushBody(seq: number): Record<string, unknown> {
  return buildPushBody({ seq, hookId: 9000, commits: [{ message: `fix: ${pushToken(seq)}` }] });
}

/** Posts push `seq`, signed; resolves to the HTTP status (0 when the connection broke). */
export async function postPush(url: string, seq: number): Promise<number> {
  // One timestamp per push: Gitee's signature mode refuses a (timestamp, token) pair seen before.
  const request = giteeRequest(pushBody(seq), secret, { timestamp: timestampBase + seq });
  try {
    const response = await fetch(`${url}/webhooks/gitee`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * The push numbers a robot message stands for: by token (full text) or by the compare link (a
 * digest's summary line). The compare link ends in the head commit's sha, which starts with the
 * push number in hex (see buildPushBody).
 */
export function pushesIn(content: string): number[] {
  const found = new Set<number>();
  for (const m of content.matchAll(/hmx-push-(\d+)-end/g)) found.add(Number(m[1]));
  for (const m of content.matchAll(/\/compare\/[0-9a-f]{40}\.\.\.([0-9a-f]{8})[0-9a-f]{32}/g))
    found.add(parseInt(String(m[1]), 16));
  return [...found];
}

/** Every push number each robot message stands for, in the order the robot accepted them. */
export function pushesSeen(contents: readonly string[]): number[] {
  return contents.flatMap((c) => pushesIn(c));
}

/** The text of a WeCom body, whatever its type. */
export function contentOf(body: Record<string, unknown>): string {
  const part = body[String(body['msgtype'])] as { content?: unknown } | undefined;
  return typeof part?.content === 'string' ? part.content : JSON.stringify(body);
}
