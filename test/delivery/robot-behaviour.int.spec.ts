import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { waitFor } from '../helpers/start-test-hookmux.js';
import {
  backends,
  contentOf,
  deadLetters,
  freePort,
  postPush,
  pushesIn,
  pushesSeen,
  secret,
  spawnServe,
  type ServeProcess,
  startStorage,
  type Storage,
  writeConfig,
} from './serve-process.js';

/** A config with the given sinks (YAML lines under `sinks:`), each push routed to all of them. */
function configFor(storage: Storage, sinks: Record<string, string>, delivery = ''): string {
  return `
server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: ${storage.yaml}
log: { level: warn }
${delivery}
sources:
  gitee: { secret: "${secret}" }
sinks:
${Object.entries(sinks)
  .map(([name, settings]) => `  ${name}: { type: wecom, format: markdown, ${settings} }`)
  .join('\n')}
routes:
  - when: { source: gitee, event: push }
    to: [${Object.keys(sinks).join(', ')}]
`;
}

describe.each(backends)('delivery against a fake WeCom robot, through hookmux serve (%s)', (backend) => {
  let robot: FakeWeComRobot;
  let server: ServeProcess | undefined;
  let storage: Storage;

  beforeEach(async () => {
    robot = new FakeWeComRobot({ keys: ['a', 'b', 'gone'] });
    await robot.start();
    storage = await startStorage(backend);
  });
  afterEach(async () => {
    await server?.kill();
    server = undefined;
    await robot.stop();
    await storage.destroy();
  });

  const seenBy = (key: string): number[] => pushesSeen(robot.messagesFor(key).map((m) => contentOf(m.body)));
  /** How many events a message carries: a digest says so in its header (`共 N 条`), else one. */
  const carried = (content: string): number => {
    const m = /共 (\d+) 条|hookmux: (\d+) events?/.exec(content);
    return m ? Number(m[1] ?? m[2]) : 1;
  };
  const carriedBy = (key: string): number[] => robot.messagesFor(key).map((m) => carried(contentOf(m.body)));

  it('stays within the robot limit (never 45009) and merges a burst so every event arrives', async () => {
    robot.setRateLimit({ count: 5, windowMs: 2000 });
    const { file } = writeConfig(configFor(storage, { a: `webhook: "${robot.url('a')}", rateLimit: 5/2s` }));
    server = await spawnServe(file, await freePort());
    const pushes = Array.from({ length: 30 }, (_, i) => i);
    for (const seq of pushes) expect(await postPush(server.url, seq)).toBe(200);

    // Digests group pushes (one compare link per branch), so events are counted by what each
    // message says it carries; messages of one event are also recognised by their push token.
    const total = (): number => carriedBy('a').reduce((n, c) => n + c, 0);
    await waitFor(() => total() >= pushes.length, 30_000, 'every push inside some message');
    expect(robot.answers.filter((a) => a.errcode === 45009)).toEqual([]);
    expect(robot.answers.every((a) => a.status === 200 && a.errcode === 0)).toBe(true);
    // Merged: fewer messages than events, and no event twice.
    expect(robot.messagesFor('a').length).toBeLessThan(pushes.length);
    expect(total()).toBe(pushes.length);
    expect(carriedBy('a').some((c) => c > 1)).toBe(true);
    const singles = robot
      .messagesFor('a')
      .filter((m) => carried(contentOf(m.body)) === 1)
      .flatMap((m) => pushesIn(contentOf(m.body)));
    expect(new Set(singles).size).toBe(singles.length);
  }, 60_000);

  it('rides out -1 and 502 in order, dead-letters 93000, and replays it with the CLI once fixed', async () => {
    const { file, dir } = writeConfig(
      configFor(
        storage,
        {
          a: `webhook: "${robot.url('a')}", merge: false`,
          gone: `webhook: "${robot.url('gone')}", merge: false`,
        },
        'delivery: { backoff: 50ms, maxBackoff: 200ms, maxAttempts: 1000 }',
      ),
    );
    robot.removeKey('gone');
    robot.setOutage('a', true, { errcode: -1, errmsg: 'system busy' });
    server = await spawnServe(file, await freePort());
    const pushes = Array.from({ length: 6 }, (_, i) => i);
    for (const seq of pushes) expect(await postPush(server.url, seq)).toBe(200);

    const failuresFor = (key: string): number =>
      robot.answers.filter((a) => a.key === key && a.errcode !== 0).length;
    await waitFor(() => failuresFor('a') >= 3, 10_000, 'a few -1 answers');
    robot.setOutage('a', true, { httpStatus: 502 });
    const before502 = failuresFor('a');
    await waitFor(() => failuresFor('a') >= before502 + 2, 10_000, 'a few 502 answers');
    expect(robot.messagesFor('a')).toHaveLength(0);
    robot.setOutage('a', false);

    await waitFor(() => robot.messagesFor('a').length === pushes.length, 20_000, 'recovery');
    expect(seenBy('a')).toEqual(pushes);

    // 93000: dead at once, one request each, visible to the CLI beside the running server.
    await waitFor(
      () => robot.answers.filter((a) => a.key === 'gone').length === pushes.length,
      10_000,
      '93000s',
    );
    const letters = deadLetters(file, dir);
    const dead = await letters.list();
    expect(dead).toHaveLength(pushes.length);
    expect(dead.every((d) => d.sink === 'gone' && d.lastError?.code === '93000')).toBe(true);

    robot.addKey('gone');
    expect(await letters.replayAll()).toBe(pushes.length);
    await waitFor(() => robot.messagesFor('gone').length === pushes.length, 20_000, 'replayed messages');
    expect(seenBy('gone').sort((x, y) => x - y)).toEqual(pushes);
    expect(robot.answers.filter((a) => a.key === 'gone')).toHaveLength(2 * pushes.length);
  }, 90_000);

  it('does not let a hanging robot delay another', async () => {
    const { file } = writeConfig(
      configFor(
        storage,
        { a: `webhook: "${robot.url('a')}", timeout: 500ms`, b: `webhook: "${robot.url('b')}"` },
        'delivery: { backoff: 50ms, maxBackoff: 200ms }',
      ),
    );
    // Robot `a` holds every request for a minute, then fails it: nothing it gets is ever accepted.
    robot.setOutage('a', true, { delayMs: 60_000, then: { errcode: -1, errmsg: 'system busy' } });
    server = await spawnServe(file, await freePort());
    const pushes = Array.from({ length: 8 }, (_, i) => i);
    for (const seq of pushes) expect(await postPush(server.url, seq)).toBe(200);

    await waitFor(() => robot.messagesFor('b').length === pushes.length, 15_000, 'robot b to get everything');
    // Causality, not timing: b has everything while a has accepted nothing yet was being tried.
    expect(robot.messagesFor('a')).toHaveLength(0);
    expect(seenBy('b')).toEqual(pushes);

    robot.setOutage('a', false);
    await waitFor(() => new Set(seenBy('a')).size === pushes.length, 20_000, 'robot a to catch up');
    expect(seenBy('a')).toEqual(pushes);
  }, 60_000);
});
