import { copyFileSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';

import {
  contentOf,
  freePort,
  postPush,
  pushesSeen,
  secret,
  type ServeProcess,
  spawnServe,
  writeConfig,
} from '../delivery/serve-process.js';
import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { waitFor } from '../helpers/start-test-hookmux.js';

const pushes = 12;

/** Rows in the file's deliveries table; 0 when even the table is not there yet (still in the WAL). */
function countRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'")
      .get();
    if (table === undefined) return 0;
    return (db.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('hookmux backup of a live SQLite outbox', () => {
  const robot = new FakeWeComRobot({ keys: ['backup'] });
  let serve: ServeProcess | undefined;
  let dir = '';
  let file = '';

  beforeAll(async () => {
    await robot.start();
    ({ dir, file } = writeConfig(`
server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: { type: sqlite, path: ./data/hookmux.db }
log: { level: warn }
sources: { gitee: { secret: ${secret} } }
sinks: { backup: { type: wecom, webhook: "${robot.url('backup')}", format: text } }
routes: [{ when: { event: push }, to: backup }]
`));
    const running = await spawnServe(file, await freePort());
    serve = running;
    for (let seq = 1; seq <= pushes; seq += 1) expect(await postPush(running.url, seq)).toBe(200);
    await waitFor(
      () => new Set(pushesSeen(robot.messagesFor('backup').map((m) => contentOf(m.body)))).size === pushes,
      15_000,
      'every push to reach the robot',
    );
  }, 40_000);

  afterAll(async () => {
    await serve?.stop();
    await robot.stop();
  });

  it('copies every delivery, including those still only in the WAL, while serve keeps the file open', async () => {
    const db = join(dir, 'data/hookmux.db');
    // The recent commits live in the write-ahead log, not yet in hookmux.db itself.
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    const plain = join(mkdtempSync(join(tmpdir(), 'hookmux-plain-copy-')), 'hookmux.db');
    copyFileSync(db, plain);

    const target = join(dir, 'backups/hookmux-backup.db');
    const run = await runCliCapture(['backup', target, '-c', file], { cwd: dir });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`${pushes} 条投递记录`);
    expect(existsSync(`${target}.partial`)).toBe(false);

    // The copy opens on its own (no -wal beside it) and holds every row, each sent.
    expect(existsSync(`${target}-wal`)).toBe(false);
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = copy.prepare("SELECT count(*) AS n FROM deliveries WHERE status = 'sent'").get() as {
        n: number;
      };
      expect(rows.n).toBe(pushes);
    } finally {
      copy.close();
    }
    // What `cp hookmux.db` would have kept: the WAL's commits are missing.
    expect(countRows(plain)).toBeLessThan(pushes);
    // serve is still running and answering.
    expect((await fetch(`${serve?.url ?? ''}/healthz`)).status).toBe(200);
  });

  it('refuses a non-SQLite storage and a missing outbox, saying why', async () => {
    const redis = writeConfig('storage: { type: memory }\n');
    const onMemory = await runCliCapture(['backup', 'x.db', '-c', redis.file], { cwd: redis.dir });
    expect(onMemory.code).toBe(1);
    expect(onMemory.err).toContain('SQLite');
    const empty = writeConfig('storage: { type: sqlite, path: ./nothing-yet.db }\n');
    const missing = await runCliCapture(['backup', 'x.db', '-c', empty.file], { cwd: empty.dir });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('投递库不存在');
  });
});
