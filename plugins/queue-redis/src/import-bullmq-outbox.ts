import type { DeliveryStatus } from '@hookmux/core';
import type { Redis } from 'ioredis';

import { importScript } from './outbox-lua.js';
import type { RedisContext } from './redis-context.js';

/** The job data of the BullMQ outbox of hookmux ≤ 0.1 (`RedisQueue`). */
interface LegacyJobData {
  readonly eventId?: string;
  readonly eventName?: string;
  readonly route?: string;
  readonly sink?: string;
  readonly robotKey?: string;
  readonly message?: unknown;
  readonly status?: DeliveryStatus;
  readonly attempts?: number;
  readonly nextAttemptAt?: number;
  readonly lastError?: { readonly code?: string; readonly detail?: string };
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly sentAt?: number;
  readonly digestId?: string;
}

interface ScriptedRedis extends Redis {
  hmImport(...args: (string | number)[]): Promise<number>;
}

const pageSize = 200;

/**
 * Moves the rows of an older hookmux's BullMQ outbox (`<prefix>:hm:index`, one BullMQ queue per
 * sink) into this storage once, so an upgrade loses no queued message: they keep their order and
 * their rendered message (sent as stored), finished rows keep their history, and their (event,
 * sink) pairs stay de-duplicated. The old keys are left for the operator to delete. Safe when
 * several processes start at once: the pairs de-duplicate.
 */
export async function importBullmqOutbox(ctx: RedisContext): Promise<number> {
  const redis = ctx.client as ScriptedRedis;
  if (typeof redis.hmImport !== 'function')
    redis.defineCommand('hmImport', { numberOfKeys: 0, lua: importScript });
  const p = ctx.keyPrefix;
  const indexKey = `${p}hm:index`;
  const doneKey = `${p}imported:bullmq`;
  if ((await redis.exists(indexKey)) === 0 || (await redis.exists(doneKey)) === 1) return 0;
  let imported = 0;
  let after = '-inf';
  for (;;) {
    const members = await redis.zrangebyscore(indexKey, after, '+inf', 'LIMIT', 0, pageSize);
    if (members.length === 0) break;
    const entries = members.flatMap((member) => {
      const [id, lane] = member.split('|');
      return id === undefined || lane === undefined ? [] : [{ id, lane }];
    });
    const pipeline = redis.pipeline();
    for (const e of entries) pipeline.hmget(`${p}${e.lane}:d${e.id}`, 'data', 'finishedOn', 'failedReason');
    const results = (await pipeline.exec()) ?? [];
    for (const [error, value] of results) {
      if (error) throw error;
      const [data, finishedOn, failedReason] = value as (string | null)[];
      if (typeof data !== 'string') continue;
      const args = toImportArgs(JSON.parse(data) as LegacyJobData, finishedOn ?? null, failedReason ?? null);
      if (args !== undefined && Number(await redis.hmImport(p, ...args)) === 1) imported++;
    }
    const last = entries[entries.length - 1];
    if (last === undefined || members.length < pageSize) break;
    after = `(${last.id}`;
  }
  await redis.set(doneKey, String(Date.now()));
  if (imported > 0)
    ctx.logger.warn(
      { imported },
      'moved the deliveries of the older BullMQ outbox into this storage; delete its keys (<prefix>:sink.*, <prefix>:hm:*) once they are sent',
    );
  return imported;
}

function toImportArgs(
  d: LegacyJobData,
  finishedOn: string | null,
  failedReason: string | null,
): string[] | undefined {
  if (d.eventId === undefined || d.sink === undefined || d.message === undefined) return undefined;
  let status: DeliveryStatus = d.status ?? 'pending';
  if (finishedOn !== null) status = failedReason !== null ? 'dead' : 'sent';
  else if (d.sentAt !== undefined) status = 'sent';
  // Crash leftovers of the old dispatcher: back in their lane, as `recover` would.
  if (status === 'sending') status = 'pending';
  const now = Date.now();
  const updatedAt = Math.max(d.updatedAt ?? now, finishedOn === null ? 0 : Number(finishedOn));
  const fields: [string, string | number | undefined][] = [
    ['eventName', d.eventName ?? ''],
    ['route', d.route ?? ''],
    ['robotKey', d.robotKey],
    ['message', JSON.stringify(d.message)],
    ['status', status],
    ['attempts', d.attempts ?? 0],
    ['nextAttemptAt', d.nextAttemptAt ?? now],
    ['errCode', d.lastError?.code],
    [
      'errDetail',
      d.lastError?.detail ?? (status === 'dead' && failedReason !== null ? failedReason : undefined),
    ],
    ['createdAt', d.createdAt ?? now],
    ['updatedAt', updatedAt],
    ['sentAt', status === 'sent' ? (d.sentAt ?? updatedAt) : undefined],
    ['digestId', status === 'sent' ? d.digestId : undefined],
  ];
  return [
    d.eventId,
    d.sink,
    ...fields.flatMap(([name, value]) => (value === undefined ? [] : [name, String(value)])),
  ];
}
