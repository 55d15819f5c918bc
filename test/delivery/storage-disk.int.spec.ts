// A full disk under a running hookmux (issue 11, storage health): a real tmpfs of 4 MB holds the
// outbox. Mounting needs root (CI runs as root); elsewhere the suite says so and skips. A read-only
// disk cannot be staged the same way (Linux refuses to remount read-only while SQLite holds the file
// open for writing, and root ignores file modes); SQLITE_READONLY takes the same path as
// SQLITE_FULL in SqliteStorage.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'storage-disk-secret';

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the disk with one file until the kernel says ENOSPC. */
function fill(path: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let i = 0; i < 1024; i++) {
    try {
      appendFileSync(path, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      return;
    }
  }
  throw new Error('the tmpfs never filled up');
}

describe('storage health on a full disk (SQLite on a real tmpfs)', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a'] });
  const root = mkdtempSync(join(tmpdir(), 'hookmux-disk-'));
  const disk = join(root, 'disk');
  let mounted = false;
  let server: TestHookmux | undefined;
  let seq = 0;
  const accepted: string[] = [];

  const post = async (): Promise<number> => {
    seq++;
    const marker = `disk-event-${seq}`;
    const request = giteeRequest(
      buildPushBody({ seq, commits: [{ message: `${marker} ${'长提交说明'.repeat(200)}` }] }),
      secret,
    );
    const answer = await server!.post('/webhooks/gitee', request.body, request.headers);
    if (answer.status === 200) accepted.push(marker);
    else {
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'HM_ERR_HTTP_UNAVAILABLE' } });
    }
    return answer.status;
  };
  /** Posts until one is refused (a full disk may still have room in the WAL for a few). */
  const postUntilRefused = async (): Promise<void> => {
    for (let i = 0; i < 40; i++) if ((await post()) === 503) return;
    throw new Error('no webhook was refused');
  };
  const readyStatus = async (): Promise<number> => (await fetch(`${server!.url}/readyz`)).status;
  const readyAgain = async (): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while ((await readyStatus()) !== 200) {
      if (Date.now() > deadline) throw new Error('/readyz stayed 503 after the disk was fixed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    mkdirSync(disk, { recursive: true });
    mounted = tryMount(disk);
    if (!mounted) {
      console.log('skipped: cannot mount a tmpfs here (needs root)');
      return;
    }
    await robot.start();
    robot.setOutage('team-a', true);
    server = await startTestHookmux(`
storage: { type: sqlite, path: "${join(disk, 'outbox.db')}" }
sources:
  gitee: { secret: ${secret} }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}", format: text, rateLimit: 1000/min }
routes:
  - when: { event: push }
    to: team-a
`);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await robot.stop();
    if (mounted) execFileSync('umount', ['-l', disk]);
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('refuses webhooks with 503 while the disk is full, and accepts again once there is room', async () => {
    if (!mounted) return;
    expect(await post()).toBe(200);
    fill(join(disk, 'filler'));
    await postUntilRefused();
    expect(await readyStatus()).toBe(503);
    const ready = await fetch(`${server!.url}/readyz`);
    expect(await ready.json()).toMatchObject({ ok: false, checks: { storage: false } });

    rmSync(join(disk, 'filler'));
    await readyAgain();
    expect(await post()).toBe(200);
  }, 30_000);

  it('delivers every event that got a 200', async () => {
    if (!mounted) return;
    robot.setOutage('team-a', false);
    await waitFor(
      () => accepted.every((m) => JSON.stringify(robot.messages).includes(m)),
      20_000,
      `the ${accepted.length} accepted events at the robot`,
    );
    expect(accepted.length).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
