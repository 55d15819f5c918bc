import { parseArgs } from 'node:util';
import { parseDuration } from '../../config/parse-units.js';
import {
  type DeliveryProgressListener,
  type DeliveryRecord,
  type DeliveryStore,
  deliveryStatuses,
  isDeliveryStatus,
} from '../../contracts/delivery-store.js';
import { HookmuxError } from '../../errors/hookmux-error.js';

export interface DeliveriesIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly isTTY: boolean;
  /** Times are shown in this IANA zone (the config's `templates.timeZone`); default UTC. */
  readonly timeZone?: string;
}

export const deliveriesUsage = `用法 usage:
  hookmux deliveries list [--status S] [--sink NAME] [--limit N] [--before ID] [--json]
  hookmux deliveries show ID [--json]
  hookmux deliveries replay ID
  hookmux deliveries replay --dead [--sink NAME]
  hookmux deliveries purge --sent|--dead --older-than 7d
  hookmux deliveries stats [--json]

状态 statuses: ${deliveryStatuses.join(', ')}
时间按配置的 templates.timeZone 显示 (times in the config's templates.timeZone)`;
const usage = deliveriesUsage;

/** Below this many rows replay/purge is quick, and a progress bar would only flicker. */
const progressThreshold = 500;

/**
 * `hookmux deliveries ...`: inspect and repair the outbox. Exit codes: 0 ok, 1 a problem the
 * user can fix (unknown id, row in flight), 2 wrong usage.
 */
export async function runDeliveriesCommand(
  argv: string[],
  store: DeliveryStore,
  io: DeliveriesIo,
): Promise<number> {
  const [subcommand, ...args] = argv;
  try {
    switch (subcommand) {
      case 'list':
        return await listDeliveries(args, store, io);
      case 'show':
        return await showDelivery(args, store, io);
      case 'replay':
        return await replayDeliveries(args, store, io);
      case 'purge':
        return await purgeDeliveries(args, store, io);
      case 'stats':
        return await showStats(args, store, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        write(subcommand === undefined ? io.err : io.out, usage);
        return subcommand === undefined ? 2 : 0;
      default:
        throw usageError(`unknown subcommand "${subcommand}"`);
    }
  } catch (error) {
    if (isParseArgsError(error) || (HookmuxError.is(error) && error.code === 'HM_ERR_CLI_USAGE')) {
      write(io.err, `✗ ${error.message}\n\n${usage}`);
      return 2;
    }
    if (HookmuxError.is(error)) {
      write(io.err, `✗ ${error.describe()}`);
      return 1;
    }
    throw error;
  }
}

async function listDeliveries(args: string[], store: DeliveryStore, io: DeliveriesIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      status: { type: 'string' },
      sink: { type: 'string' },
      limit: { type: 'string' },
      before: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.status !== undefined && !isDeliveryStatus(values.status)) {
    throw usageError(`--status must be one of ${deliveryStatuses.join(', ')}, not "${values.status}"`);
  }
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw usageError(`--limit must be a positive whole number, not "${values.limit}"`);
  const records = await store.list({
    limit,
    ...(values.status === undefined ? {} : { status: values.status }),
    ...(values.sink === undefined ? {} : { sink: values.sink }),
    ...(values.before === undefined ? {} : { before: values.before }),
  });
  if (values.json) {
    write(io.out, JSON.stringify(records, undefined, 2));
    return 0;
  }
  if (records.length === 0) {
    write(io.out, '没有符合条件的投递 no deliveries match');
    return 0;
  }
  const header = ['ID', 'STATUS', 'SINK', 'EVENT', 'TRIES', 'UPDATED', 'LAST ERROR'];
  const rows = records.map((r) => [
    r.id,
    r.status,
    r.sink,
    r.eventName,
    String(r.attempts),
    formatTime(r.updatedAt, io.timeZone),
    formatError(r),
  ]);
  write(io.out, formatTable([header, ...rows]));
  const last = records.at(-1);
  if (records.length === limit && last !== undefined) write(io.out, `… 更多 more: --before ${last.id}`);
  return 0;
}

async function showDelivery(args: string[], store: DeliveryStore, io: DeliveriesIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  const [id] = positionals;
  if (id === undefined || positionals.length > 1) throw usageError('show takes one delivery ID');
  const record = await store.get(id);
  if (record === undefined) throw notFound(id);
  if (values.json) {
    write(io.out, JSON.stringify(record, undefined, 2));
    return 0;
  }
  const lines: [string, string | undefined][] = [
    ['id', record.id],
    ['status', record.status],
    ['sink', record.sink],
    ['route', record.route],
    ['event', `${record.eventName} (${record.eventId})`],
    ['attempts', String(record.attempts)],
    ['created', formatTime(record.createdAt, io.timeZone)],
    ['updated', formatTime(record.updatedAt, io.timeZone)],
    [
      'next attempt',
      record.status === 'pending' || record.status === 'retrying'
        ? formatTime(record.nextAttemptAt, io.timeZone)
        : undefined,
    ],
    ['sent', record.sentAt === undefined ? undefined : formatTime(record.sentAt, io.timeZone)],
    ['digest', record.digestId],
    ['last error', record.lastError === undefined ? undefined : formatError(record)],
    ['summary', record.message?.summary ?? record.event?.summary],
    ['url', record.message?.url ?? record.event?.url],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  for (const [key, value] of lines)
    if (value !== undefined && value !== '') write(io.out, `${key.padEnd(width)}  ${value}`);
  // Rows carry the event (rendered when sent); older rows the message rendered when queued.
  if (record.message) write(io.out, `\n${record.message.text}`);
  return 0;
}

async function replayDeliveries(args: string[], store: DeliveryStore, io: DeliveriesIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dead: { type: 'boolean' }, sink: { type: 'string' } },
  });
  if (values.dead) {
    if (positionals.length > 0) throw usageError('replay takes either an ID or --dead, not both');
    const count = await store.replayDead(
      values.sink === undefined ? {} : { sink: values.sink },
      showProgress(io, 'replaying'),
    );
    write(
      io.out,
      `已重放 ${count} 条死信 replayed ${count} dead ${plural(count, 'delivery', 'deliveries')}${values.sink === undefined ? '' : ` of sink ${values.sink}`}`,
    );
    return 0;
  }
  const [id] = positionals;
  if (id === undefined || positionals.length > 1) throw usageError('replay takes one delivery ID, or --dead');
  if (values.sink !== undefined) throw usageError('--sink goes with --dead');
  const before = await store.get(id);
  if (before === undefined) throw notFound(id);
  const after = await store.replay(id);
  write(io.out, `已重放 replayed delivery ${after.id} (${before.status} → ${after.status})`);
  return 0;
}

async function purgeDeliveries(args: string[], store: DeliveryStore, io: DeliveriesIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { sent: { type: 'boolean' }, dead: { type: 'boolean' }, 'older-than': { type: 'string' } },
  });
  if (values.sent === values.dead) throw usageError('purge takes exactly one of --sent or --dead');
  const olderThan = values['older-than'];
  if (olderThan === undefined) throw usageError('purge needs --older-than, e.g. --older-than 7d');
  let olderThanMs: number;
  try {
    olderThanMs = parseDuration(olderThan);
  } catch (error) {
    throw usageError(`--older-than: ${error instanceof Error ? error.message : String(error)}`);
  }
  const status = values.sent ? 'sent' : 'dead';
  const count = await store.purge({ status, olderThanMs }, showProgress(io, 'purging'));
  write(
    io.out,
    `已清理 ${count} 条 purged ${count} ${status} ${plural(count, 'delivery', 'deliveries')} older than ${olderThan}`,
  );
  return 0;
}

async function showStats(args: string[], store: DeliveryStore, io: DeliveriesIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const stats = await store.stats();
  if (values.json) {
    write(io.out, JSON.stringify(stats, undefined, 2));
    return 0;
  }
  const header = ['SINK', ...deliveryStatuses.map((s) => s.toUpperCase()), 'OLDEST WAITING', 'RATE'];
  const rows = stats.map((s) => [
    s.sink,
    ...deliveryStatuses.map((status) => String(s.counts[status])),
    s.oldestPendingAgeMs === undefined ? '-' : formatAge(s.oldestPendingAgeMs),
    s.rateLimit === undefined
      ? 'not configured'
      : s.rateLimit.limits
          .map((l) => `${l.sentInWindow}/${l.count} per ${formatAge(l.windowMs)}`)
          .join(', ') || 'unlimited',
  ]);
  write(io.out, formatTable([header, ...rows]));
  return 0;
}

/** A bar on a terminal; on a pipe, a plain line per chunk so logs stay readable. */
function showProgress(io: DeliveriesIo, verb: string): DeliveryProgressListener {
  return ({ done, total }) => {
    if (total < progressThreshold) return;
    if (io.isTTY) {
      const width = 30;
      const filled = Math.min(width, Math.round((done / total) * width));
      io.err.write(`\r${verb} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
      if (done >= total) io.err.write('\n');
    } else if (done > 0) {
      write(io.err, `${verb} ${done}/${total}`);
    }
  };
}

function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  '),
    )
    .join('\n');
}

function formatError(record: DeliveryRecord): string {
  const error = record.lastError;
  if (error === undefined) return '';
  return error.code === undefined ? error.detail : `${error.code} ${error.detail}`;
}

/** `2024-06-01 18:30:05 +08:00`: the instant in the zone, with its offset (UTC is `+00:00`). */
export function formatTime(ms: number, timeZone = 'UTC'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts['timeZoneName'] ?? '').replace(/^GMT/, '');
  const zone = ` ${offset === '' ? '+00:00' : offset}`;
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}${zone}`;
}

function formatAge(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)}h`;
  return `${Math.round(ms / 86_400_000)}d`;
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${text}\n`);
}

function usageError(message: string): HookmuxError {
  return new HookmuxError('HM_ERR_CLI_USAGE', message);
}

function notFound(id: string): HookmuxError {
  return new HookmuxError('HM_ERR_DELIVERY_NOT_FOUND', `no delivery with id ${id}`, {
    hint: 'list them with `hookmux deliveries list`',
  });
}

/** Duck-typed: node's errors come from another realm under some test runners, failing `instanceof`. */
function isParseArgsError(error: unknown): error is Error {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
