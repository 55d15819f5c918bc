import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

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
  spawnWorker,
  type ServeProcess,
  startStorage,
  type Storage,
  writeConfig,
} from './serve-process.js';

describe.each(backends)('hookmux worker: dispatch without HTTP (%s)', (backend) => {
  let robot: FakeWeComRobot;
  let storage: Storage;
  const processes: ServeProcess[] = [];

  beforeEach(async () => {
    robot = new FakeWeComRobot({ keys: ['w'] });
    await robot.start();
    storage = await startStorage(backend);
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await robot.stop();
    await storage.destroy();
  });

  it('sends what a stopped server queued, and stops cleanly on SIGTERM', async () => {
    const { file } = writeConfig(`
server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: ${storage.yaml}
log: { level: warn }
delivery: { backoff: 50ms, maxBackoff: 200ms }
sources:
  gitee: { secret: "${secret}" }
sinks:
  w: { type: wecom, webhook: "${robot.url('w')}", format: markdown, merge: false }
routes:
  - when: { source: gitee, event: push }
    to: w
`);
    // The robot is down while the server takes the pushes: they stay queued.
    robot.setOutage('w', true, { httpStatus: 502 });
    const server = await spawnServe(file, await freePort());
    processes.push(server);
    const pushes = [0, 1, 2, 3, 4];
    for (const seq of pushes) expect(await postPush(server.url, seq)).toBe(200);
    await waitFor(() => robot.answers.length >= 1, 10_000, 'a first failed try');
    expect(await server.stop()).toBe(0);

    // Only the worker runs now: whatever reaches the robot, the worker sent.
    robot.setOutage('w', false);
    const worker = spawnWorker(file);
    processes.push(worker);
    const seen = (): number[] => pushesSeen(robot.messagesFor('w').map((m) => contentOf(m.body)));
    await waitFor(() => seen().length === pushes.length, 30_000, 'the worker to deliver the backlog');
    expect(seen()).toEqual(pushes);
    expect(await worker.stop()).toBe(0);
    expect(worker.output()).toContain('SIGTERM, stopping');
  }, 60_000);
});
