import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import type {
  ClaimRequest,
  ClaimResult,
  DeliveryStorage,
  LeaseHolder,
  LeaseStore,
  OnceStore,
  OutboxCount,
  OutboxInsertResult,
  OutboxStore,
  OutboxTarget,
  RateWindowStore,
  Settlement,
  StorageHealth,
} from '../contracts/delivery-storage.js';
import type {
  DeliveryProgressListener,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStatus,
  PurgeFilter,
} from '../contracts/delivery-store.js';
import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { migrateOutbox } from './outbox-schema.js';
import { defineStoredEvent, encodeStoredEvent, type StoredEventBody } from './stored-event.js';

export interface SqliteStorageOptions {
  /** A file, or `:memory:` (`storage: {type: memory}`). */
  readonly path: string;
  readonly logger: Logger;
}

interface DeliveryRow {
  readonly id: number;
  readonly event_id: string;
  readonly event_name: string;
  readonly route: string;
  readonly route_dir: string | null;
  readonly batch_ms: number | null;
  readonly sink: string;
  readonly robot_key: string | null;
  readonly message: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly last_error_code: string | null;
  readonly last_error_detail: string | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly sent_at: number | null;
  readonly digest_id: string | null;
  /** Joined from `events`. */
  readonly event_body?: StoredEventBody | null;
}

interface PendingInsert {
  readonly event: HookEvent;
  readonly body: Buffer;
  readonly targets: readonly OutboxTarget[];
  readonly now: number;
  readonly resolve: (result: OutboxInsertResult) => void;
  readonly reject: (error: unknown) => void;
}

const unsent = `status IN ('pending', 'retrying')`;
const chunkSize = 500;
const selectRow = `SELECT d.*, e.body AS event_body FROM deliveries d LEFT JOIN events e ON e.id = d.event_id`;
/** SQLite result codes that mean "this file cannot keep what it is given". */
const unhealthyCodes: readonly [RegExp, string][] = [
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_READONLY/, 'readonly'],
  [/^SQLITE_IOERR/, 'io'],
  [/^SQLITE_CANTOPEN/, 'io'],
  [/^SQLITE_CORRUPT/, 'io'],
];

/**
 * The embedded storage (`storage: {type: sqlite}`, and `memory` for tests and dry runs): every
 * store of `delivery-storage.ts` on one SQLite file. Storage only: what to send, when and how
 * often is the Dispatcher's business.
 *
 * Durability: WAL with `synchronous = FULL`, so every commit is fsynced to the WAL before `insert`
 * resolves and the HTTP answer goes out: an accepted event survives a process crash and a power
 * cut. The fsync cost is shared by group commit: every `insert` that arrives within one event-loop
 * turn joins one transaction. Compiled statements are cached by SQL text.
 *
 * Health: the file's inode is remembered at open; a file deleted or replaced under the running
 * process (writes would go to an unlinked inode, lost at restart), or a write failing with
 * SQLITE_FULL / SQLITE_READONLY / SQLITE_IOERR, makes the storage unhealthy: inserts are refused
 * (intake answers 503) until a check finds the file back in place and writable.
 */
export class SqliteStorage implements DeliveryStorage, OutboxStore, RateWindowStore, OnceStore {
  readonly type: string;
  readonly outbox: OutboxStore = this;
  readonly rates: RateWindowStore = this;
  readonly lease: LeaseStore = {
    tryAcquire: (owner, now, ttlMs) => this.tryAcquire(owner, now, ttlMs),
    release: (owner) => this.releaseLease(owner),
    holder: () => this.holder(),
  };
  readonly once: OnceStore = this;

  readonly #db: Database.Database;
  readonly #path: string;
  readonly #logger: Logger;
  /** Compiled statements by SQL text: compiling is a measurable share of each webhook otherwise. */
  readonly #statements = new Map<string, Database.Statement>();
  readonly #identity: { dev: number; ino: number } | undefined;
  #writeFailure: StorageHealth | undefined;
  #batch: PendingInsert[] = [];
  #flushScheduled = false;
  #commits = 0;
  #onceCalls = 0;
  /** Send times moved by `restamp`, written with the next settle. */
  readonly #restamps = new Map<number, number>();
  /** Keys remembered since the last group commit, with their expiry. */
  #onceBatch = new Map<string, number>();
  #onceNow = 0;

  constructor(options: SqliteStorageOptions) {
    this.#path = options.path;
    this.type = options.path === ':memory:' ? 'memory' : 'sqlite';
    this.#logger = options.logger.child({ component: 'outbox' });
    this.#db = openOutbox(options.path);
    if (options.path !== ':memory:') {
      const stat = statSync(options.path);
      this.#identity = { dev: stat.dev, ino: stat.ino };
    }
  }

  /** Transactions committed by `insert` so far (group commit makes it fewer than the calls). */
  get commitCount(): number {
    return this.#commits;
  }

  /** The open database, for tests and migrations only. */
  get database(): Database.Database {
    return this.#db;
  }

  // ── Health ──────────────────────────────────────────────────────────────────────────────

  health(): Promise<StorageHealth> {
    if (!this.#db.open) return Promise.resolve({ ok: false, reason: 'down', detail: 'the outbox is closed' });
    const file = this.#checkFile();
    if (!file.ok) return Promise.resolve(file);
    if (this.#writeFailure !== undefined) {
      try {
        this.#sql(
          `INSERT INTO storage_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
        ).run(Date.now());
        this.#logger.info({}, 'the outbox accepts writes again');
        this.#writeFailure = undefined;
      } catch (error) {
        this.#noteFailure(error);
        return Promise.resolve(this.#writeFailure ?? { ok: false, reason: 'io', detail: String(error) });
      }
    }
    return Promise.resolve({ ok: true });
  }

  #checkFile(): StorageHealth {
    if (this.#identity === undefined) return { ok: true };
    try {
      const stat = statSync(this.#path);
      if (stat.ino !== this.#identity.ino || stat.dev !== this.#identity.dev)
        return {
          ok: false,
          reason: 'replaced',
          detail: `${this.#path} was replaced by another file while hookmux ran`,
        };
      return { ok: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        return { ok: false, reason: 'deleted', detail: `${this.#path} was deleted while hookmux ran` };
      return { ok: false, reason: 'io', detail: `cannot stat ${this.#path}: ${String(error)}` };
    }
  }

  /** Remembers a write failure that means the file cannot keep data; rethrows nothing. */
  #noteFailure(error: unknown): void {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') return;
    const match = unhealthyCodes.find(([pattern]) => pattern.test(code));
    if (match === undefined) return;
    if (this.#writeFailure === undefined)
      this.#logger.error({ err: error, code }, 'the outbox cannot write; refusing new events until it can');
    this.#writeFailure = { ok: false, reason: match[1], detail: `${code}: ${(error as Error).message}` };
  }

  /** Runs a write; a failure that means "cannot keep data" marks the storage unhealthy. */
  #write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.#noteFailure(error);
      throw error;
    }
  }

  // ── OutboxStore ─────────────────────────────────────────────────────────────────────────

  insert(event: HookEvent, targets: readonly OutboxTarget[], now: number): Promise<OutboxInsertResult> {
    if (targets.length === 0) return Promise.resolve({ queued: 0, duplicates: 0 });
    if (!this.#db.open) return Promise.reject(unavailable('the outbox is closed'));
    let body: Buffer;
    try {
      // Encoded here, not in the batch, so one caller's unserialisable event fails only that caller.
      body = encodeStoredEvent(event);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.#batch.push({ event, body, targets, now, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // setImmediate, not a microtask: it also gathers requests whose bodies finish reading in
        // the same I/O phase, which is where concurrent webhooks arrive.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#batch;
    this.#batch = [];
    const onceKeys = this.#onceBatch.size;
    if (batch.length === 0 && onceKeys === 0) return;
    // Nothing is accepted that cannot be kept: a file deleted or replaced under us would take the
    // commit with it at the next start.
    const file = this.#db.open ? this.#checkFile() : { ok: false as const, reason: 'down', detail: 'closed' };
    if (!file.ok) {
      this.#logger.error(
        { reason: file.reason, detail: file.detail },
        'the outbox file is gone; refusing events',
      );
      for (const p of batch) p.reject(unavailable(file.detail));
      return;
    }
    const insertEvent = this.#sql(
      `INSERT INTO events (id, body, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const insertRow = this.#sql(
      `INSERT INTO deliveries (event_id, event_name, route, route_dir, batch_ms, sink, robot_key, message, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'pending', 0, ?, ?, ?)
       ON CONFLICT (event_id, sink) DO NOTHING`,
    );
    let results: OutboxInsertResult[];
    try {
      results = this.#write(() =>
        this.#db
          .transaction(() => {
            this.#writeOnceKeys();
            return batch.map(({ event, body, targets, now }) => {
              insertEvent.run(event.id, body, now);
              let queued = 0;
              for (const t of targets)
                queued += insertRow.run(
                  event.id,
                  event.name,
                  t.route,
                  t.routeDir ?? null,
                  t.batchMs ?? null,
                  t.sink,
                  t.robotKey ?? null,
                  t.dueAt ?? now,
                  now,
                  now,
                ).changes;
              return { queued, duplicates: targets.length - queued };
            });
          })
          .immediate(),
      );
      this.#commits++;
      if (onceKeys > 0) this.#onceBatch = new Map();
    } catch (error) {
      this.#logger.error({ err: error, requests: batch.length }, 'could not commit events to the outbox');
      for (const p of batch) p.reject(unavailable(undefined, error));
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i] ?? { queued: 0, duplicates: 0 }));
  }

  sinksWithWork(): Promise<readonly string[]> {
    const rows = this.#sql(`SELECT DISTINCT sink FROM deliveries WHERE ${unsent}`).all() as {
      sink: string;
    }[];
    return Promise.resolve(rows.map((r) => r.sink));
  }

  hasWork(sinks: readonly string[]): Promise<boolean> {
    const probe = this.#sql(`SELECT 1 FROM deliveries WHERE ${unsent} AND sink = ? LIMIT 1`);
    return Promise.resolve(sinks.some((sink) => probe.get(sink) !== undefined));
  }

  countDue(sinks: readonly string[], now: number, limit: number): Promise<number> {
    const n = (
      this.#sql(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM deliveries WHERE ${unsent} AND next_attempt_at <= ? AND sink IN (SELECT value FROM json_each(?)) LIMIT ?)`,
      ).get(now, JSON.stringify(sinks), Math.max(0, Math.floor(limit))) as { n: number }
    ).n;
    return Promise.resolve(n);
  }

  claim(request: ClaimRequest): Promise<ClaimResult> {
    const { now } = request;
    const result = this.#write(() =>
      this.#db
        .transaction((): ClaimResult => {
          const head = this.#sql(
            `SELECT id, sink, next_attempt_at FROM deliveries WHERE ${unsent} AND sink IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT 1`,
          ).get(JSON.stringify(request.sinks)) as
            { id: number; sink: string; next_attempt_at: number } | undefined;
          if (head === undefined) return { rows: [] };
          if (head.next_attempt_at > now) return { rows: [], nextDueAt: head.next_attempt_at };
          const candidates = this.#sql(
            `${selectRow} WHERE d.status IN ('pending', 'retrying') AND d.sink = ? AND d.id >= ? ORDER BY d.id LIMIT ?`,
          ).all(head.sink, head.id, Math.max(1, Math.floor(request.max))) as DeliveryRow[];
          const run: DeliveryRow[] = [];
          const dueBy = Math.max(now, request.dueBy ?? now);
          for (const row of candidates) {
            if (row.next_attempt_at > dueBy) break;
            run.push(row);
          }
          const mark = this.#sql(
            `UPDATE deliveries SET status = 'sending', robot_key = ?, updated_at = ? WHERE id = ?`,
          );
          for (const row of run) mark.run(request.robotKey, now, row.id);
          return {
            rows: run.map((r) =>
              toRecord({ ...r, status: 'sending', robot_key: request.robotKey, updated_at: now }),
            ),
          };
        })
        .immediate(),
    );
    return Promise.resolve(result);
  }

  settle(settlements: readonly Settlement[], now: number): Promise<void> {
    const update = this.#sql(
      `UPDATE deliveries SET status = @status, attempts = attempts + @delta,
          next_attempt_at = COALESCE(@next, next_attempt_at),
          last_error_code = CASE WHEN @hasError THEN @code ELSE last_error_code END,
          last_error_detail = CASE WHEN @hasError THEN @detail ELSE last_error_detail END,
          sent_at = CASE WHEN @status = 'sent' THEN @now ELSE sent_at END,
          digest_id = CASE WHEN @status = 'sent' THEN @digest ELSE digest_id END,
          updated_at = @now
        WHERE id = @id`,
    );
    this.#write(() =>
      this.#db
        .transaction(() => {
          this.#writeRestamps();
          for (const s of settlements) {
            const id = parseId(s.id);
            if (id === undefined) continue;
            update.run({
              id,
              status: s.status,
              delta: s.attemptsDelta,
              next: s.nextAttemptAt ?? null,
              hasError: s.error === undefined ? 0 : 1,
              code: s.error?.code ?? null,
              detail: s.error?.detail ?? null,
              digest: s.digestId ?? null,
              now,
            });
          }
        })
        .immediate(),
    );
    return Promise.resolve();
  }

  release(ids: readonly string[], now: number): Promise<void> {
    this.#write(() =>
      this.#sql(
        `UPDATE deliveries SET status = CASE WHEN attempts > 0 THEN 'retrying' ELSE 'pending' END, updated_at = ?
         WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?))`,
      ).run(now, JSON.stringify(ids.map(parseId).filter((n) => n !== undefined))),
    );
    return Promise.resolve();
  }

  recover(now: number): Promise<number> {
    const changes = this.#write(
      () =>
        this.#sql(
          `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'`,
        ).run(now, now).changes,
    );
    return Promise.resolve(changes);
  }

  list(query: DeliveryQuery = {}): Promise<readonly DeliveryRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status !== undefined) {
      where.push('d.status = ?');
      params.push(query.status);
    }
    if (query.sink !== undefined) {
      where.push('d.sink = ?');
      params.push(query.sink);
    }
    if (query.before !== undefined) {
      where.push('d.id < ?');
      params.push(parseId(query.before) ?? 0);
    }
    const limit = Math.max(1, Math.min(query.limit ?? 50, 10_000));
    const sql = `${selectRow} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT ${limit}`;
    const rows = this.#sql(sql).all(...params) as DeliveryRow[];
    return Promise.resolve(rows.map(toRecord));
  }

  get(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.#row(id);
    return Promise.resolve(row === undefined ? undefined : toRecord(row));
  }

  replay(id: string, now: number): Promise<DeliveryRecord | undefined> {
    const row = this.#row(id);
    if (row === undefined) return Promise.resolve(undefined);
    if (row.status === 'sending') {
      return Promise.reject(
        new HookmuxError('HM_ERR_DELIVERY_IN_FLIGHT', `delivery ${id} is being sent right now`, {
          hint: 'wait for its answer, then look again',
        }),
      );
    }
    const finished = row.status === 'dead' || row.status === 'sent' ? 1 : 0;
    this.#write(() =>
      this.#sql(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?,
             attempts = CASE WHEN ? THEN 0 ELSE attempts END,
             sent_at = CASE WHEN ? THEN NULL ELSE sent_at END,
             digest_id = CASE WHEN ? THEN NULL ELSE digest_id END
           WHERE id = ?`,
      ).run(now, now, finished, finished, finished, row.id),
    );
    const updated = this.#row(id);
    return Promise.resolve(updated === undefined ? undefined : toRecord(updated));
  }

  async replayDead(
    filter: { readonly sink?: string },
    now: number,
    onProgress?: DeliveryProgressListener,
  ): Promise<number> {
    const sinkClause = filter.sink === undefined ? '' : 'AND sink = @sink';
    const params = filter.sink === undefined ? { now } : { now, sink: filter.sink };
    const total = (
      this.#sql(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'dead' ${sinkClause}`).get(
        filter.sink === undefined ? {} : { sink: filter.sink },
      ) as { n: number }
    ).n;
    const step = this.#sql(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now, sent_at = NULL, digest_id = NULL
       WHERE id IN (SELECT id FROM deliveries WHERE status = 'dead' ${sinkClause} ORDER BY id LIMIT ${chunkSize})`,
    );
    return runInChunks(total, onProgress, () => this.#write(() => step.run(params).changes));
  }

  async purge(filter: PurgeFilter, now: number, onProgress?: DeliveryProgressListener): Promise<number> {
    const cutoff = now - Math.max(0, filter.olderThanMs);
    const total = (
      this.#sql(`SELECT COUNT(*) AS n FROM deliveries WHERE status = ? AND updated_at < ?`).get(
        filter.status,
        cutoff,
      ) as {
        n: number;
      }
    ).n;
    const step = this.#sql(
      `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE status = ? AND updated_at < ? ORDER BY id LIMIT ${chunkSize})`,
    );
    const done = await runInChunks(total, onProgress, () =>
      this.#write(() => step.run(filter.status, cutoff).changes),
    );
    if (done > 0) {
      this.#write(() =>
        this.#sql(
          `DELETE FROM events WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)`,
        ).run(),
      );
    }
    return done;
  }

  counts(): Promise<readonly OutboxCount[]> {
    const rows = this.#sql(
      `SELECT sink, status, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries GROUP BY sink, status`,
    ).all() as { sink: string; status: DeliveryStatus; n: number; oldest: number }[];
    return Promise.resolve(
      rows.map((r) => ({ sink: r.sink, status: r.status, count: r.n, oldestCreatedAt: r.oldest })),
    );
  }

  // ── RateWindowStore ─────────────────────────────────────────────────────────────────────

  record(robotKey: string, at: number): Promise<string> {
    const id = this.#write(
      () => this.#sql(`INSERT INTO send_log (robot_key, at) VALUES (?, ?)`).run(robotKey, at).lastInsertRowid,
    );
    return Promise.resolve(String(id));
  }

  /**
   * Kept until the next write transaction (the dispatcher's `settle` follows at once), so that a
   * send costs one fsync less; until then the send counts at its start time (a crash in between
   * keeps the earlier time). `sendsSince` writes what is pending first.
   */
  restamp(id: string, at: number): Promise<void> {
    const n = parseId(id);
    if (n !== undefined) this.#restamps.set(n, at);
    return Promise.resolve();
  }

  #writeRestamps(): void {
    if (this.#restamps.size === 0) return;
    const update = this.#sql(`UPDATE send_log SET at = ? WHERE id = ?`);
    for (const [id, at] of this.#restamps) update.run(at, id);
    this.#restamps.clear();
  }

  sendsSince(robotKey: string, since: number): Promise<readonly number[]> {
    if (this.#restamps.size > 0)
      this.#write(() => this.#db.transaction(() => this.#writeRestamps()).immediate());
    const rows = this.#sql(`SELECT at FROM send_log WHERE robot_key = ? AND at >= ? ORDER BY at`).all(
      robotKey,
      since,
    ) as {
      at: number;
    }[];
    return Promise.resolve(rows.map((r) => r.at));
  }

  prune(before: number): Promise<void> {
    this.#write(() => this.#sql(`DELETE FROM send_log WHERE at < ?`).run(before));
    return Promise.resolve();
  }

  // ── LeaseStore ──────────────────────────────────────────────────────────────────────────

  tryAcquire(owner: string, now: number, ttlMs: number): Promise<boolean> {
    const held = this.#write(() =>
      this.#db
        .transaction(() => {
          const row = this.#sql(`SELECT owner, expires_at FROM dispatcher_lease WHERE id = 1`).get() as
            { owner: string; expires_at: number } | undefined;
          if (row !== undefined && row.owner !== owner && row.expires_at > now) return false;
          this.#sql(
            `INSERT INTO dispatcher_lease (id, owner, expires_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
          ).run(owner, now + ttlMs);
          return true;
        })
        .immediate(),
    );
    return Promise.resolve(held);
  }

  // The `lease` face maps LeaseStore.release to `releaseLease` (`release` is the outbox's, for rows).

  holder(): Promise<LeaseHolder | undefined> {
    const row = this.#sql(`SELECT owner, expires_at FROM dispatcher_lease WHERE id = 1`).get() as
      { owner: string; expires_at: number } | undefined;
    return Promise.resolve(row === undefined ? undefined : { owner: row.owner, expiresAt: row.expires_at });
  }

  releaseLease(owner: string): Promise<void> {
    if (this.#db.open)
      this.#write(() => this.#sql(`DELETE FROM dispatcher_lease WHERE id = 1 AND owner = ?`).run(owner));
    return Promise.resolve();
  }

  // ── OnceStore ───────────────────────────────────────────────────────────────────────────

  /**
   * Answers from the file and the keys not yet committed, at once; the key is written with the
   * next group commit, which is also the one (or comes before the one) that commits this request's
   * event. So a request answered 200 has its key on disk, without an fsync of its own; a crash
   * before that commit loses only keys of requests that were never accepted.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (!this.#db.open) return Promise.reject(unavailable('the outbox is closed'));
    const pending = this.#onceBatch.get(key);
    if (pending !== undefined && pending > now) return Promise.resolve(false);
    let row: { expires_at: number } | undefined;
    try {
      row = this.#sql(`SELECT expires_at FROM once_keys WHERE key = ?`).get(key) as
        { expires_at: number } | undefined;
    } catch (error) {
      return Promise.reject(unavailable(undefined, error));
    }
    if (row !== undefined && row.expires_at > now) return Promise.resolve(false);
    this.#onceBatch.set(key, expiresAt);
    this.#onceNow = now;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    return Promise.resolve(true);
  }

  /** Writes the remembered keys (inside the group commit's transaction). */
  #writeOnceKeys(): void {
    if (this.#onceBatch.size === 0) return;
    const upsert = this.#sql(
      `INSERT INTO once_keys (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at`,
    );
    for (const [key, expiresAt] of this.#onceBatch) upsert.run(key, expiresAt);
    this.#onceCalls += this.#onceBatch.size;
    if (this.#onceCalls >= 1000) {
      this.#onceCalls = 0;
      this.#sql(`DELETE FROM once_keys WHERE expires_at <= ?`).run(this.#onceNow);
    }
  }

  // ── Life cycle ──────────────────────────────────────────────────────────────────────────

  compact(): Promise<void> {
    if (this.#db.open) this.#write(() => this.#db.pragma('incremental_vacuum'));
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#flush();
    if (this.#db.open) {
      try {
        this.#db.transaction(() => this.#writeRestamps()).immediate();
      } catch {
        // the file is gone or full: the sends keep their start times
      }
      this.#db.close();
    }
    return Promise.resolve();
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #row(id: string): DeliveryRow | undefined {
    const n = parseId(id);
    if (n === undefined) return undefined;
    return this.#sql(`${selectRow} WHERE d.id = ?`).get(n) as DeliveryRow | undefined;
  }
}

/** Opens (creating or migrating) the outbox file; the `DeliveryStorage` of `sqlite` and `memory`. */
export function openSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  return new SqliteStorage(options);
}

function openOutbox(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The CLI writes to the same file while the server runs; wait for its short transactions.
    db.pragma('busy_timeout = 5000');
    migrateOutbox(db, path);
    return db;
  } catch (error) {
    if (HookmuxError.is(error)) throw error;
    throw new HookmuxError(
      'HM_ERR_DELIVERY_STORE_OPEN',
      `cannot open the outbox database: ${error instanceof Error ? error.message : String(error)}`,
      {
        at: path,
        hint: 'check storage.path: its folder must be writable, and the file must be a hookmux outbox',
        cause: error,
      },
    );
  }
}

function unavailable(detail?: string, cause?: unknown): HookmuxError {
  return new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', undefined, {
    ...(cause === undefined ? {} : { cause }),
    hint: detail ?? 'check that storage.path is writable and the disk is not full',
  });
}

async function runInChunks(
  total: number,
  onProgress: DeliveryProgressListener | undefined,
  step: () => number,
): Promise<number> {
  let done = 0;
  onProgress?.({ done, total });
  for (;;) {
    const changed = step();
    if (changed === 0) break;
    done += changed;
    onProgress?.({ done, total: Math.max(total, done) });
    // Lets the dispatcher and HTTP intake run between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return done;
}

function parseId(id: string): number | undefined {
  return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}

function toRecord(row: DeliveryRow): DeliveryRecord {
  const record: DeliveryRecord = {
    id: String(row.id),
    eventId: row.event_id,
    eventName: row.event_name,
    route: row.route,
    ...(row.route_dir === null ? {} : { routeDir: row.route_dir }),
    ...(row.batch_ms === null || row.batch_ms === undefined ? {} : { batchMs: row.batch_ms }),
    sink: row.sink,
    ...(row.robot_key === null ? {} : { robotKey: row.robot_key }),
    ...(row.message === null ? {} : { message: JSON.parse(row.message) as Message }),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    ...(row.last_error_detail === null
      ? {}
      : {
          lastError: {
            ...(row.last_error_code === null ? {} : { code: row.last_error_code }),
            detail: row.last_error_detail,
          },
        }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at }),
    ...(row.digest_id === null ? {} : { digestId: row.digest_id }),
  };
  return row.event_body ? defineStoredEvent(record, row.event_body) : record;
}
