import {
  type ClaimRequest,
  type ClaimResult,
  type DeliveryProgressListener,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryStatus,
  defineStoredEvent,
  encodeStoredEvent,
  type HookEvent,
  HookmuxError,
  isDeliveryStatus,
  type Message,
  type OutboxCount,
  type OutboxInsertResult,
  type OutboxStore,
  type OutboxTarget,
  type PurgeFilter,
  type Settlement,
} from '@hookmux/core';
import type { Redis } from 'ioredis';

import {
  claimScript,
  countDueScript,
  countsScript,
  insertScript,
  purgeScript,
  recoverScript,
  releaseScript,
  replayDeadScript,
  replayScript,
  settleScript,
} from './outbox-lua.js';
import type { RedisContext } from './redis-context.js';

type Arg = string | number | Buffer;

interface ScriptedRedis extends Redis {
  hmInsert(...args: Arg[]): Promise<[number, number]>;
  hmClaim(...args: Arg[]): Promise<string[]>;
  hmSettle(...args: Arg[]): Promise<number>;
  hmRelease(...args: Arg[]): Promise<number>;
  hmRecover(...args: Arg[]): Promise<number>;
  hmReplay(...args: Arg[]): Promise<'ok' | 'missing' | 'in-flight'>;
  hmReplayDead(...args: Arg[]): Promise<number>;
  hmPurge(...args: Arg[]): Promise<number>;
  hmCountDue(...args: Arg[]): Promise<number>;
  hmCounts(...args: Arg[]): Promise<(string | number)[]>;
}

const scripts: Record<string, string> = {
  hmInsert: insertScript,
  hmClaim: claimScript,
  hmSettle: settleScript,
  hmRelease: releaseScript,
  hmRecover: recoverScript,
  hmReplay: replayScript,
  hmReplayDead: replayDeadScript,
  hmPurge: purgeScript,
  hmCountDue: countDueScript,
  hmCounts: countsScript,
};

const chunkSize = 500;
/**
 * Ids are stored zero-padded to 15 digits (sortable as strings); one typed without the zeros
 * (`hookmux deliveries replay 42`) is the same id. Anything else is no id.
 */
function toId(id: string): string | undefined {
  return /^\d{1,15}$/.test(id) ? id.padStart(15, '0') : undefined;
}

/**
 * The outbox on Redis: one hash per delivery row, the event stored once beside its rows, and
 * sorted-set indexes (by id, status, sink, due time) kept in step by Lua scripts, so every
 * method that changes rows is one atomic script (see `outbox-lua.ts` for the keys). Storage
 * only: the Dispatcher decides what to claim, when, and what an answer does to a row.
 */
export class RedisOutboxStore implements OutboxStore {
  readonly #ctx: RedisContext;
  readonly #redis: ScriptedRedis;
  readonly #p: string;

  constructor(ctx: RedisContext) {
    this.#ctx = ctx;
    const redis = ctx.client as ScriptedRedis;
    for (const [name, lua] of Object.entries(scripts))
      if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function')
        redis.defineCommand(name, { numberOfKeys: 0, lua });
    this.#redis = redis;
    this.#p = ctx.keyPrefix;
  }

  async insert(event: HookEvent, targets: readonly OutboxTarget[], now: number): Promise<OutboxInsertResult> {
    if (targets.length === 0) return { queued: 0, duplicates: 0 };
    // Encoded before anything is written: an unserialisable event fails alone, writing nothing.
    const body = encodeStoredEvent(event);
    const args: Arg[] = [this.#p, this.#ctx.marker, now, event.id, event.name, body];
    for (const t of targets)
      args.push(
        t.route,
        present(t.routeDir),
        t.sink,
        present(t.robotKey),
        t.dueAt ?? now,
        present(t.batchMs === undefined ? undefined : String(t.batchMs)),
      );
    try {
      // Resolves once Redis answered: with `appendfsync always`, once the AOF is fsynced.
      const [queued, duplicates] = await this.#ctx.run(() => this.#redis.hmInsert(...args));
      if (Number(queued) < 0) throw this.#ctx.markerLost();
      return { queued: Number(queued), duplicates: Number(duplicates) };
    } catch (error) {
      this.#ctx.logger.error({ err: error, targets: targets.length }, 'could not queue an event in Redis');
      throw new HookmuxError('HM_ERR_HTTP_UNAVAILABLE', undefined, {
        cause: error,
        hint: 'check that Redis (storage.url) is up, reachable and accepts writes; the source will retry',
      });
    }
  }

  async sinksWithWork(): Promise<readonly string[]> {
    const sinks = await this.#ctx.run(() => this.#redis.smembers(`${this.#p}sinks`));
    const withWork = await this.#unsentCounts(sinks);
    return sinks.filter((_, i) => (withWork[i] ?? 0) > 0).sort();
  }

  async hasWork(sinks: readonly string[]): Promise<boolean> {
    return (await this.#unsentCounts(sinks)).some((n) => n > 0);
  }

  async countDue(sinks: readonly string[], now: number, limit: number): Promise<number> {
    const max = Math.max(0, Math.floor(limit));
    if (sinks.length === 0 || max === 0) return 0;
    return Number(await this.#ctx.run(() => this.#redis.hmCountDue(this.#p, now, max, ...sinks)));
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    if (request.sinks.length === 0) return { rows: [] };
    const max = Math.max(1, Math.floor(request.max));
    const answer = await this.#ctx.run(() =>
      this.#redis.hmClaim(
        this.#p,
        request.robotKey,
        request.now,
        max,
        request.dueBy ?? request.now,
        ...request.sinks,
      ),
    );
    const [kind, ...rest] = answer.map(String);
    if (kind === 'wait') return { rows: [], nextDueAt: Number(rest[0]) };
    if (kind !== 'claimed' || rest.length === 0) return { rows: [] };
    return { rows: await this.#records(rest) };
  }

  async settle(settlements: readonly Settlement[], now: number): Promise<void> {
    const args: Arg[] = [this.#p, now];
    for (const s of settlements) {
      const id = toId(s.id);
      if (id === undefined) continue;
      args.push(
        id,
        s.status,
        s.attemptsDelta,
        s.nextAttemptAt ?? '',
        s.error === undefined ? '0' : '1',
        s.error?.code ?? '',
        s.error?.detail ?? '',
        s.digestId ?? '',
      );
    }
    if (args.length > 2) await this.#ctx.run(() => this.#redis.hmSettle(...args));
  }

  async release(ids: readonly string[], now: number): Promise<void> {
    const valid = ids.flatMap((id) => toId(id) ?? []);
    if (valid.length > 0) await this.#ctx.run(() => this.#redis.hmRelease(this.#p, now, ...valid));
  }

  async recover(now: number): Promise<number> {
    return Number(await this.#ctx.run(() => this.#redis.hmRecover(this.#p, now)));
  }

  async list(query: DeliveryQuery = {}): Promise<readonly DeliveryRecord[]> {
    const limit = Math.max(1, Math.min(query.limit ?? 50, 10_000));
    const before = query.before === undefined ? undefined : toId(query.before);
    if (query.before !== undefined && before === undefined) return [];
    const key =
      query.status !== undefined && query.sink !== undefined
        ? `ss:${query.status}:${query.sink}`
        : query.status !== undefined
          ? `st:${query.status}`
          : query.sink !== undefined
            ? `sk:${query.sink}`
            : 'all';
    const max = before === undefined ? '+inf' : `(${Number(before)}`;
    const ids = await this.#ctx.run(() =>
      this.#redis.zrevrangebyscore(`${this.#p}${key}`, max, '-inf', 'LIMIT', 0, limit),
    );
    return this.#records(ids);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const key = toId(id);
    if (key === undefined) return undefined;
    const [record] = await this.#records([key]);
    return record;
  }

  async replay(given: string, now: number): Promise<DeliveryRecord | undefined> {
    const id = toId(given);
    if (id === undefined) return undefined;
    const answer = await this.#ctx.run(() => this.#redis.hmReplay(this.#p, now, id));
    if (answer === 'missing') return undefined;
    if (answer === 'in-flight') {
      throw new HookmuxError('HM_ERR_DELIVERY_IN_FLIGHT', `delivery ${id} is being sent right now`, {
        hint: 'wait for its answer, then look again',
      });
    }
    return this.get(id);
  }

  async replayDead(
    filter: { readonly sink?: string },
    now: number,
    onProgress?: DeliveryProgressListener,
  ): Promise<number> {
    const key = filter.sink === undefined ? 'st:dead' : `ss:dead:${filter.sink}`;
    const total = await this.#ctx.run(() => this.#redis.zcard(`${this.#p}${key}`));
    return inChunks(total, onProgress, () =>
      this.#ctx.run(() => this.#redis.hmReplayDead(this.#p, now, key, chunkSize)),
    );
  }

  async purge(filter: PurgeFilter, now: number, onProgress?: DeliveryProgressListener): Promise<number> {
    if (filter.status !== 'sent' && filter.status !== 'dead') {
      throw new HookmuxError('HM_ERR_CLI_USAGE', `cannot purge ${String(filter.status)} deliveries`, {
        hint: 'only sent and dead deliveries can be purged',
      });
    }
    const cutoff = now - Math.max(0, filter.olderThanMs);
    const total = await this.#ctx.run(() =>
      this.#redis.zcount(`${this.#p}upd:${filter.status}`, '-inf', `(${cutoff}`),
    );
    return inChunks(total, onProgress, () =>
      this.#ctx.run(() => this.#redis.hmPurge(this.#p, filter.status, cutoff, chunkSize)),
    );
  }

  async counts(): Promise<readonly OutboxCount[]> {
    const flat = await this.#ctx.run(() => this.#redis.hmCounts(this.#p));
    const counts: OutboxCount[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const status = String(flat[i + 1]);
      if (!isDeliveryStatus(status)) continue;
      counts.push({
        sink: String(flat[i]),
        status,
        count: Number(flat[i + 2]),
        oldestCreatedAt: Number(flat[i + 3]),
      });
    }
    return counts;
  }

  async #unsentCounts(sinks: readonly string[]): Promise<number[]> {
    if (sinks.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const sink of sinks) pipeline.zcard(`${this.#p}u:${sink}`);
    const results = (await this.#ctx.run(() => pipeline.exec())) ?? [];
    return results.map(([error, n]) => {
      if (error) throw error;
      return Number(n);
    });
  }

  /** Rows with their stored events, in the order of `ids`; ids without a row are left out. */
  async #records(ids: readonly string[]): Promise<DeliveryRecord[]> {
    if (ids.length === 0) return [];
    const rowsPipeline = this.#redis.pipeline();
    for (const id of ids) rowsPipeline.hgetall(`${this.#p}d:${id}`);
    const rowResults = (await this.#ctx.run(() => rowsPipeline.exec())) ?? [];
    const rows = ids.map((id, i) => {
      const [error, hash] = rowResults[i] ?? [];
      if (error) throw error;
      const fields = hash as Record<string, string> | null;
      return fields !== null && fields['sink'] !== undefined ? { id, fields } : undefined;
    });
    const eventIds = [
      ...new Set(
        rows.flatMap((r) =>
          r === undefined || r.fields['eventId'] === undefined ? [] : [r.fields['eventId']],
        ),
      ),
    ];
    const bodies =
      eventIds.length === 0
        ? []
        : await this.#ctx.run(() => this.#redis.mgetBuffer(...eventIds.map((e) => `${this.#p}e:${e}`)));
    // Kept as stored: decoded on first read, or in the render thread for a digest.
    const events = new Map<string, Buffer>();
    eventIds.forEach((eventId, i) => {
      const body = bodies[i];
      if (body) events.set(eventId, body);
    });
    return rows.flatMap((r) => (r === undefined ? [] : [toRecord(r.id, r.fields, events)]));
  }
}

function present(value: string | undefined): string {
  return value === undefined ? '' : `=${value}`;
}

async function inChunks(
  total: number,
  onProgress: DeliveryProgressListener | undefined,
  step: () => Promise<number>,
): Promise<number> {
  let done = 0;
  onProgress?.({ done, total });
  for (;;) {
    const changed = Number(await step());
    if (changed === 0) break;
    done += changed;
    onProgress?.({ done, total: Math.max(total, done) });
  }
  return done;
}

function toRecord(
  id: string,
  f: Record<string, string>,
  events: ReadonlyMap<string, Buffer>,
): DeliveryRecord {
  const eventId = f['eventId'] ?? '';
  const event = events.get(eventId);
  const status = (isDeliveryStatus(f['status']) ? f['status'] : 'pending') satisfies DeliveryStatus;
  const code = f['errCode'];
  const detail = f['errDetail'];
  const optional = (value: string | undefined): number | undefined =>
    value === undefined ? undefined : Number(value);
  const sentAt = optional(f['sentAt']);
  const record: DeliveryRecord = {
    id,
    eventId,
    eventName: f['eventName'] ?? '',
    route: f['route'] ?? '',
    ...(f['routeDir'] === undefined ? {} : { routeDir: f['routeDir'] }),
    ...(f['batchMs'] === undefined ? {} : { batchMs: Number(f['batchMs']) }),
    sink: f['sink'] ?? '',
    ...(f['robotKey'] === undefined ? {} : { robotKey: f['robotKey'] }),
    ...(f['message'] === undefined ? {} : { message: JSON.parse(f['message']) as Message }),
    status,
    attempts: Number(f['attempts'] ?? 0),
    nextAttemptAt: Number(f['nextAttemptAt'] ?? 0),
    ...(detail === undefined ? {} : { lastError: { ...(code === undefined ? {} : { code }), detail } }),
    createdAt: Number(f['createdAt'] ?? 0),
    updatedAt: Number(f['updatedAt'] ?? 0),
    ...(sentAt === undefined ? {} : { sentAt }),
    ...(f['digestId'] === undefined ? {} : { digestId: f['digestId'] }),
  };
  return event === undefined ? record : defineStoredEvent(record, event);
}
