import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Message } from '../contracts/message.js';
import type { ResolvedSink, SinkDirectory } from '../contracts/sink-directory.js';
import type { DeliveryResult, Sink, SinkTarget } from '../contracts/sink.js';
import { MemoryLogger } from '../logging/memory-logger.js';
import { outboxSchemaVersion } from './outbox-schema.js';
import { SqliteQueue } from './sqlite-queue.js';

/** The outbox as hookmux wrote it before it kept events (schema version 2), verbatim. */
const previousDdl = `
CREATE TABLE deliveries (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id          TEXT    NOT NULL,
  event_name        TEXT    NOT NULL,
  route             TEXT    NOT NULL,
  sink              TEXT    NOT NULL,
  robot_key         TEXT,
  message           TEXT    NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'retrying', 'dead')),
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,
  last_error_code   TEXT,
  last_error_detail TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  sent_at           INTEGER,
  digest_id         TEXT,
  UNIQUE (event_id, sink)
);
CREATE INDEX deliveries_by_status_sink ON deliveries (status, sink, id);
CREATE INDEX deliveries_by_status_updated ON deliveries (status, updated_at);
CREATE TABLE send_log (
  id        INTEGER PRIMARY KEY,
  robot_key TEXT    NOT NULL,
  at        INTEGER NOT NULL
);
CREATE INDEX send_log_by_robot ON send_log (robot_key, at);
CREATE TABLE dispatcher_lease (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  owner      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
);
PRAGMA user_version = 2;
`;

function rendered(i: number): Message {
  return {
    eventId: `old-${i}`,
    eventName: 'gitee.push',
    sink: 'team-a',
    format: 'md',
    text: `**zhangsan** pushed ${i} (rendered by the old version)`,
    fields: {},
    mentions: { userIds: [], mobiles: [], all: false },
    summary: `zhangsan pushed ${i}`,
    count: 1,
  };
}

const sent: Message[] = [];
const sink: Sink = {
  type: 'scripted',
  configSchema: {},
  secretKeys: [],
  rateLimits: [],
  templateFormat: () => 'md',
  robotKey: (t: SinkTarget) => t.name,
  maxTextBytes: () => 4096,
  toRequestBody: (m: Message) => m.text,
  send: (m: Message): Promise<DeliveryResult> => {
    sent.push(m);
    return Promise.resolve({ ok: true });
  },
};
const target: SinkTarget = { name: 'team-a', type: 'scripted', settings: {} };
const resolved: ResolvedSink = { sink, target, rateLimits: [], robotKey: 'a', merge: true, timeoutMs: 1000 };
const directory: SinkDirectory = {
  resolve: (name) => (name === 'team-a' ? resolved : undefined),
  names: () => ['team-a'],
  people: () => [],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookmux-migrate-'));
  sent.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox migration', () => {
  it('opens an outbox of the previous schema and delivers its queued rows as stored', async () => {
    const path = join(dir, 'hookmux.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(previousDdl);
    const insert = old.prepare(
      `INSERT INTO deliveries (event_id, event_name, route, sink, message, status, attempts, next_attempt_at, created_at, updated_at, sent_at)
       VALUES (?, 'gitee.push', 'r', 'team-a', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    insert.run('old-1', JSON.stringify(rendered(1)), 'sent', 0, now, now, now, now);
    insert.run('old-2', JSON.stringify(rendered(2)), 'pending', 0, now, now, now, null);
    insert.run('old-3', JSON.stringify(rendered(3)), 'retrying', 2, now, now, now, null);
    insert.run('old-4', JSON.stringify(rendered(4)), 'sending', 0, now, now, now, null);
    old.close();

    const queue = new SqliteQueue({
      path,
      sinks: directory,
      logger: new MemoryLogger(),
      delivery: { maxAttempts: 5, maxAgeMs: 60_000, backoffMs: 10, maxBackoffMs: 20, timeoutMs: 1000 },
      pollMs: 20,
    });
    try {
      expect((await queue.get('1'))?.message?.text).toContain('rendered by the old version');
      await queue.start();
      const deadline = Date.now() + 8000;
      while ((await queue.list({ status: 'sent' })).length < 4) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the old rows');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // The three unsent rows went out as the old version rendered them (merged or not), the sent one not again.
      const texts = sent.map((m) => m.text).join('\n');
      for (const i of [2, 3, 4])
        expect(texts).toContain(`**zhangsan** pushed ${i} (rendered by the old version)`);
      expect(texts).not.toContain('pushed 1 ');
      const rows = await queue.list({ limit: 10 });
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
      expect(rows.every((r) => r.event === undefined && r.message !== undefined)).toBe(true);
    } finally {
      await queue.stop();
    }
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(outboxSchemaVersion);
      // Converted so that purges give space back.
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
      const tables = (
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]
      ).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['events', 'deliveries', 'once_keys', 'send_log']));
    } finally {
      db.close();
    }
  });
});
