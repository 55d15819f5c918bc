import type { DeliveryStatus, SinkDeliveryStats } from '../contracts/delivery-store.js';
import type { Runtime } from '../runtime/runtime.js';

/** One sink as `GET /api/sinks` shows it: config joined with the outbox's numbers. */
export interface SinkView {
  readonly name: string;
  readonly type: string;
  /** False for rows left in the outbox by a sink the config no longer has. */
  readonly configured: boolean;
  /** The configured message type (`markdown`, `text`, ...), when the sink has one. */
  readonly format?: string;
  /** Which template format it renders from (`md`, `txt`). */
  readonly templateFormat?: string;
  /** The sink's section with every secret key's value replaced by `***`. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly counts: Readonly<Record<DeliveryStatus, number>>;
  readonly oldestPendingAgeMs?: number;
  readonly rateLimit?: {
    readonly limits: readonly { count: number; windowMs: number; sentInWindow: number }[];
    readonly nextFreeAt: number;
    /** Other sinks that point at the same robot, and so share its limit. */
    readonly sharedWith: readonly string[];
  };
}

const emptyCounts: Readonly<Record<DeliveryStatus, number>> = {
  pending: 0,
  sending: 0,
  sent: 0,
  retrying: 0,
  dead: 0,
};

export const maskedValue = '***';

/**
 * Every configured sink, then any sink only the outbox still knows. The robot key digest from
 * the stats is not shown: `sharedWith` says what it is for without handing out a derivative of
 * the key.
 */
export function describeSinks(runtime: Runtime, stats: readonly SinkDeliveryStats[]): SinkView[] {
  const byName = new Map(stats.map((s) => [s.sink, s]));
  const robotOf = new Map([...runtime.sinks].map(([name, resolved]) => [name, resolved.robotKey]));
  const views: SinkView[] = [];
  for (const [name, resolved] of runtime.sinks) {
    const stat = byName.get(name);
    const { sink, target } = resolved;
    const format = target.settings['format'];
    views.push({
      name,
      type: target.type,
      configured: true,
      ...(typeof format === 'string' ? { format } : {}),
      templateFormat: sink.templateFormat(target),
      settings: maskSettings(target.settings, sink.secretKeys),
      counts: { ...emptyCounts, ...stat?.counts },
      ...(stat?.oldestPendingAgeMs === undefined ? {} : { oldestPendingAgeMs: stat.oldestPendingAgeMs }),
      ...(stat?.rateLimit
        ? {
            rateLimit: {
              limits: stat.rateLimit.limits.map((l) => ({
                count: l.count,
                windowMs: l.windowMs,
                sentInWindow: l.sentInWindow,
              })),
              nextFreeAt: stat.rateLimit.nextFreeAt,
              sharedWith: [...robotOf]
                .filter(([other, key]) => other !== name && key === resolved.robotKey)
                .map(([other]) => other),
            },
          }
        : {}),
    });
  }
  for (const stat of stats) {
    if (runtime.sinks.has(stat.sink)) continue;
    views.push({
      name: stat.sink,
      type: 'unknown',
      configured: false,
      settings: {},
      counts: { ...emptyCounts, ...stat.counts },
      ...(stat.oldestPendingAgeMs === undefined ? {} : { oldestPendingAgeMs: stat.oldestPendingAgeMs }),
    });
  }
  return views;
}

/** `secretKeys` are dot paths (`robots.*.secret`): each value they reach becomes `***`. */
export function maskSettings(
  settings: Readonly<Record<string, unknown>>,
  secretKeys: readonly string[],
): Record<string, unknown> {
  const copy = structuredClone(settings) as Record<string, unknown>;
  for (const key of secretKeys) maskAt(copy, key.split('.'));
  return copy;
}

function maskAt(node: unknown, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || typeof node !== 'object' || node === null || Array.isArray(node)) return;
  const record = node as Record<string, unknown>;
  if (head !== '*') {
    if (!Object.hasOwn(record, head)) return;
    if (rest.length === 0) record[head] = maskedValue;
    else maskAt(record[head], rest);
    return;
  }
  // Map keys under `*` can be secrets themselves (DingTalk-style access tokens): number them.
  const entries = Object.entries(record);
  for (const [key] of entries) delete record[key];
  entries.forEach(([, value], i) => {
    const name = `${maskedValue}${i + 1}`;
    record[name] = rest.length === 0 ? maskedValue : value;
    if (rest.length > 0) maskAt(value, rest);
  });
}
