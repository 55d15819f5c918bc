import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { waitFor } from '../helpers/start-test-hookmux.js';
import {
  backends,
  contentOf,
  freePort,
  postPush,
  pushesSeen,
  secret,
  spawnServe,
  type ServeProcess,
  startStorage,
  type Storage,
  writeConfig,
} from './serve-process.js';

const total = 500;

describe.each(backends)('a crash (SIGKILL) mid-burst loses no accepted event (%s)', (backend) => {
  const robot = new FakeWeComRobot({ keys: ['crash'], rateLimit: { count: 100_000, windowMs: 1000 } });
  const servers: ServeProcess[] = [];
  let storage: Storage | undefined;

  beforeAll(async () => {
    await robot.start();
    storage = await startStorage(backend);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await robot.stop();
    await storage?.destroy();
  });

  it('delivers every 2xx-answered push exactly once per target, de-duplicated by event', async () => {
    const { file } = writeConfig(`
server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: ${storage?.yaml ?? ''}
log: { level: warn }
sources:
  gitee: { secret: "${secret}" }
sinks:
  crash: { type: wecom, webhook: "${robot.url('crash')}", format: markdown, rateLimit: 100000/s, merge: false }
routes:
  - when: { source: gitee, event: push }
    to: crash
`);
    const first = await spawnServe(file, await freePort());
    servers.push(first);

    // Post with some concurrency; kill the server once about half have been answered.
    const accepted: number[] = [];
    const failures: number[] = [];
    const answered = { count: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const seq = next++;
        const status = await postPush(first.url, seq);
        answered.count++;
        if (status >= 200 && status < 300) accepted.push(seq);
        else failures.push(status);
        if (answered.count === total / 2) await first.kill();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    // Before the kill every push is accepted; after it, connections fail (status 0), nothing else.
    expect(new Set(failures)).toEqual(new Set([0]));
    expect(accepted.length).toBeGreaterThanOrEqual(total / 2 - 16);

    const second = await spawnServe(file, await freePort());
    servers.push(second);
    const seen = (): number[] => pushesSeen(robot.messagesFor('crash').map((m) => contentOf(m.body)));
    await waitFor(
      () => accepted.every((seq) => seen().includes(seq)),
      // Redis: the job the dead process held comes back once its lease (10 s) runs out.
      60_000,
      'every accepted push to reach the robot',
    );

    const delivered = seen();
    for (const seq of accepted) expect(delivered).toContain(seq);
    // At-least-once: only the one send in flight to this robot at the kill may have gone twice.
    expect(delivered.length - new Set(delivered).size).toBeLessThanOrEqual(1);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
