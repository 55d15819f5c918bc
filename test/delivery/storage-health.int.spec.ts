import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'storage-health-secret';

describe('storage health (SQLite)', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a'] });
  let dir: string;
  const servers: TestHookmux[] = [];
  const yaml = (path: string): string => `
storage: { type: sqlite, path: "${path}" }
sources:
  gitee: { secret: ${secret} }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}", rateLimit: 100/min }
routes:
  - when: { event: push }
    to: team-a
`;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookmux-health-'));
    await robot.start();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await robot.stop();
    robot.messages.length = 0;
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('answers 503 to webhooks and on /readyz once the database file is deleted; nothing that got a 200 is lost', async () => {
    const path = join(dir, 'outbox.db');
    const server = await startTestHookmux(yaml(path));
    servers.push(server);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    // Accepted while the robot is down: they wait in the outbox.
    robot.setOutage('team-a', true);
    for (let i = 1; i <= 5; i++) {
      const request = giteeRequest(
        buildPushBody({ seq: i, commits: [{ message: `accepted ${i}` }] }),
        secret,
      );
      expect((await server.post('/webhooks/gitee', request.body, request.headers)).status).toBe(200);
    }

    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });

    const refused = giteeRequest(buildPushBody({ seq: 6, commits: [{ message: 'refused 6' }] }), secret);
    const answer = await server.post('/webhooks/gitee', refused.body, refused.headers);
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: 'HM_ERR_HTTP_UNAVAILABLE' } });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, checks: { storage: false } });

    // What was accepted still goes out: the open database keeps it until the process ends.
    robot.setOutage('team-a', false);
    await waitFor(() => robot.messagesFor('team-a').length >= 5, 20_000, 'the five accepted events');
    const sent = JSON.stringify(robot.messages);
    for (let i = 1; i <= 5; i++) expect(sent).toContain(`accepted ${i}`);
    expect(sent).not.toContain('refused 6');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  }, 30_000);

  it('answers 503 once the database file is replaced by another one', async () => {
    const path = join(dir, 'outbox.db');
    const server = await startTestHookmux(yaml(path));
    servers.push(server);
    const other = await startTestHookmux(yaml(join(dir, 'other.db')));
    await other.close();
    rmSync(path);
    renameSync(join(dir, 'other.db'), path);
    const request = giteeRequest(buildPushBody({ seq: 1 }), secret);
    expect((await server.post('/webhooks/gitee', request.body, request.headers)).status).toBe(503);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  }, 30_000);

  it('refuses a replayed signed request after a restart (the once-only memory is in the file)', async () => {
    const path = join(dir, 'outbox.db');
    const first = await startTestHookmux(yaml(path));
    const timestamp = Date.now();
    const original = giteeRequest(buildPushBody({ hookId: 1 }), secret, { timestamp });
    expect((await first.post('/webhooks/gitee', original.body, original.headers)).status).toBe(200);
    await first.close();

    const second = await startTestHookmux(yaml(path));
    servers.push(second);
    // The captured (timestamp, signature) with another body: Gitee does not sign the body.
    const forged = giteeRequest(buildPushBody({ hookId: 2, commits: [{ message: 'forged' }] }), secret, {
      timestamp,
    });
    const answer = await second.post('/webhooks/gitee', forged.body, forged.headers);
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: { code: 'HM_ERR_SRC_REPLAY' } });
    const fresh = giteeRequest(buildPushBody({ hookId: 3 }), secret, { timestamp: timestamp + 1 });
    expect((await second.post('/webhooks/gitee', fresh.body, fresh.headers)).status).toBe(200);
  }, 30_000);
});
