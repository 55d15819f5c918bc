import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { Redis } from 'ioredis';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/start-test-hookmux.js';
import { pushesCarried } from '../digest/helpers/read-digest.js';
import {
  contentOf,
  freePort,
  postPush,
  pushesSeen,
  runHookmux,
  secret,
  spawnServe,
  type ServeProcess,
  writeConfig,
} from '../delivery/serve-process.js';

/** Small windows for speed; the robot and the sink agree on the limit, as with a real WeCom robot. */
const limit = { count: 5, windowMs: 2000 };

function configFor(redisUrl: string, robotUrl: string): string {
  return `
server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: { type: redis, url: "${redisUrl}", prefix: scale }
log: { level: warn }
sources:
  gitee: { secret: "${secret}" }
sinks:
  team: { type: wecom, webhook: "${robotUrl}", format: markdown, rateLimit: ${limit.count}/2s }
routes:
  - when: { source: gitee, event: push }
    to: team
`;
}

/** How many rows `hookmux deliveries list --status S` shows for this config. */
async function rowsWith(file: string, status: string): Promise<number> {
  const listed = await runHookmux(
    ['deliveries', 'list', '--status', status, '--limit', '1000', '--json', '-c', file],
    '.',
  );
  if (listed.code !== 0) throw new Error(`deliveries list: ${listed.code} ${listed.err}`);
  return (JSON.parse(listed.out) as unknown[]).length;
}

/**
 * Waits until the outbox has nothing left to send and at least `count` rows sent. More is fine: a
 * push whose answer the SIGKILL cut off may still have been stored (it then goes out as well).
 */
async function waitForSent(file: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sent = await rowsWith(file, 'sent');
    const unsent = (
      await Promise.all(['pending', 'retrying', 'sending'].map((status) => rowsWith(file, status)))
    ).reduce((a, b) => a + b, 0);
    if (sent >= count && unsent === 0) return;
    if (Date.now() > deadline)
      throw new Error(`the outbox shows ${sent} sent rows (of at least ${count}) and ${unsent} unsent`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Pushes `seqs`, spread over the instances in turn, a few at a time; resolves to each status. */
async function postSpread(
  servers: readonly ServeProcess[],
  seqs: readonly number[],
  onAnswered?: (answered: number) => Promise<void>,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const poster = async (): Promise<void> => {
    while (next < seqs.length) {
      const i = next++;
      const seq = seqs[i] ?? 0;
      const server = servers[i % servers.length];
      statuses.set(seq, server === undefined ? 0 : await postPush(server.url, seq));
      await onAnswered?.(statuses.size);
    }
  };
  await Promise.all(Array.from({ length: 12 }, poster));
  return statuses;
}

/** Which of `servers` holds the dispatcher lease (`<prefix>:lease` is `<expiresAt>|<host>:<pid>:<nonce>`). */
async function leaseHolderIndex(url: string, servers: readonly ServeProcess[]): Promise<number> {
  const client = new Redis(url);
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const value = (await client.get('scale:lease')) ?? '';
      const pid = Number(value.split('|')[1]?.split(':')[1]);
      const at = servers.findIndex((s) => s.child.pid === pid);
      if (at >= 0) return at;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('no instance holds the dispatcher lease');
  } finally {
    client.disconnect();
  }
}

const accepted = (statuses: Map<number, number>): number[] =>
  [...statuses].filter(([, s]) => s >= 200 && s < 300).map(([seq]) => seq);

describe('scale-out: hookmux serve instances sharing one Redis', () => {
  let redis: RedisServer;
  let robot: FakeWeComRobot;
  const servers: ServeProcess[] = [];

  beforeEach(async () => {
    redis = await new RedisServer({ appendOnly: true }).start();
    robot = new FakeWeComRobot({ keys: ['team'], rateLimit: limit });
    await robot.start();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.kill()));
    await robot.stop();
    await redis.destroy();
  });

  const seen = (): number[] => pushesSeen(robot.messagesFor('team').map((m) => contentOf(m.body)));
  /** Pushes the robot's messages stand for, counted as a reader would (listed or counted). */
  const carried = (): number =>
    robot.messagesFor('team').reduce((n, m) => n + pushesCarried(contentOf(m.body)), 0);

  it('three instances keep one robot within its limit and deliver every accepted event, even when the dispatching one is SIGKILLed', async () => {
    const { file } = writeConfig(configFor(redis.url, robot.url('team')));
    for (let i = 0; i < 3; i++) servers.push(await spawnServe(file, await freePort()));
    // The victim is the instance that dispatches (it holds the lease): another one must take over
    // its lane, put back what it had in flight, and keep the robot's limit from the send log in Redis.
    const victimAt = await leaseHolderIndex(redis.url, servers);
    const victim = servers[victimAt];
    const seqs = Array.from({ length: 300 }, (_, i) => i);

    let killed = false;
    const statuses = await postSpread(servers, seqs, async (answered) => {
      if (answered >= 150 && !killed) {
        killed = true;
        await victim?.kill();
      }
    });
    const ok = accepted(statuses);
    // Before the kill everything is accepted; after it only the victim's connections fail: every
    // push posted to an instance that stayed up got its 200.
    expect(new Set([...statuses.values()].filter((s) => s !== 200))).toEqual(new Set([0]));
    expect(seqs.filter((seq) => seq % servers.length !== victimAt).map((seq) => statuses.get(seq))).toEqual(
      seqs.filter((seq) => seq % servers.length !== victimAt).map(() => 200),
    );
    expect(ok.length).toBeGreaterThanOrEqual(240);

    // Past the line budget a digest counts pushes instead of listing them: every accepted push is
    // in some message when the counts add up, and the outbox (read as a user would) holds each
    // accepted push once, sent.
    await waitFor(() => carried() >= ok.length, 120_000, 'every accepted push to reach the robot');
    await waitForSent(file, ok.length);
    expect(new Set(seen()).size).toBeLessThanOrEqual(ok.length);
    for (const seq of seen()) expect(ok).toContain(seq);
    // The robot never had to say "too fast": three instances together kept its limit.
    expect(robot.answers.filter((a) => a.errcode === 45009)).toEqual([]);
    expect(robot.answers.every((a) => a.status === 200 && a.errcode === 0)).toBe(true);
    // A backlog this size only fits through 5 per 2 s as digests.
    expect(robot.messagesFor('team').length).toBeLessThan(ok.length / 3);
    // At-least-once: only what the killed instance had in flight (one message, a digest) may repeat.
    const messages = robot.messagesFor('team').map((m) => pushesCarried(contentOf(m.body)));
    const sent = await rowsWith(file, 'sent');
    expect(carried()).toBeGreaterThanOrEqual(sent);
    expect(carried() - sent).toBeLessThanOrEqual(Math.max(0, ...messages));
    const survivors = servers.filter((_, i) => i !== victimAt);
    for (const survivor of survivors) expect(await survivor.stop()).toBe(0);
  }, 170_000);

  it('answers 503 while Redis is down, and loses nothing accepted across a Redis crash (AOF)', async () => {
    const { file } = writeConfig(configFor(redis.url, robot.url('team')));
    for (let i = 0; i < 2; i++) servers.push(await spawnServe(file, await freePort()));
    const before = await postSpread(
      servers,
      Array.from({ length: 60 }, (_, i) => i),
    );
    expect(accepted(before)).toHaveLength(60);
    // A backlog is in Redis (5 per 2 s) when it goes: SIGKILL, only what was fsynced survives.
    await waitFor(() => robot.messagesFor('team').length >= 1, 10_000, 'the first message');
    await redis.kill();

    const during = await postSpread(
      servers,
      Array.from({ length: 6 }, (_, i) => 100 + i),
    );
    expect([...during.values()]).toEqual([503, 503, 503, 503, 503, 503]);

    await redis.start();
    // The instances reconnect by themselves: a source retrying gets through again.
    const later: number[] = [];
    let seq = 200;
    const deadline = Date.now() + 20_000;
    while (later.length < 5 && Date.now() < deadline) {
      const status = await postPush(servers[seq % 2]?.url ?? '', seq);
      if (status === 200) later.push(seq);
      else await new Promise((resolve) => setTimeout(resolve, 100));
      seq++;
    }
    expect(later).toHaveLength(5);
    const ok = [...accepted(before), ...later];
    await waitFor(
      () => carried() >= ok.length,
      90_000,
      'every push accepted before the crash to reach the robot',
    );
    await waitForSent(file, ok.length);
    expect(robot.answers.filter((a) => a.errcode === 45009)).toEqual([]);
    for (const seq of [100, 101, 102, 103, 104, 105]) expect(seen()).not.toContain(seq);
  }, 150_000);
});
