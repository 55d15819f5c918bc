import { deflateSync, inflateSync } from 'node:zlib';

import type { HookEvent } from '../contracts/hook-event.js';

const deflateOptions = { level: 1, windowBits: 14, memLevel: 6 } as const;

/**
 * How an outbox keeps an event: its JSON, deflated (zlib format, level 1). A Gitee push is
 * 7–10 kB of JSON and about 1 kB deflated, and the outbox writes every event durably before the
 * webhook is answered: a tenth of the bytes is a cheaper commit than the compression costs, and a
 * digest that claims a thousand rows holds a megabyte instead of twenty. A 16 kB window and
 * memLevel 6 compress such events as well as zlib's defaults, with a third of the working memory
 * allocated and freed per call (which otherwise fragments the main thread's malloc arena).
 */
export function encodeStoredEvent(event: HookEvent): Buffer {
  return deflateSync(JSON.stringify(event), deflateOptions);
}

/** What `encodeStoredEvent` made, or the plain JSON earlier versions stored (text or bytes). */
export type StoredEventBody = string | Uint8Array;

/** The event back from its stored form; rows written before compression are plain JSON and read as such. */
export function decodeStoredEvent(stored: StoredEventBody): HookEvent {
  if (typeof stored === 'string') return JSON.parse(stored) as HookEvent;
  // JSON text starts with `{`; a zlib stream never does (its first byte is 0x78 at any level).
  const json = stored[0] === 0x7b ? Buffer.from(stored) : inflateSync(stored);
  return JSON.parse(json.toString('utf8')) as HookEvent;
}

/** The stored form behind a lazily decoded `event` property. */
const storedBodies = new WeakMap<object, StoredEventBody>();

/**
 * Gives `target` an enumerable `event` decoded from `stored` on first read. A digest claims up to
 * a thousand rows and hands most of them to the render thread: decoding them on the main thread
 * only to copy them there would cost both time and memory, so the stored form itself is handed on
 * (`storedEventBody`) and decoded where it is rendered.
 */
export function defineStoredEvent<T extends object>(
  target: T,
  stored: StoredEventBody,
): T & { readonly event: HookEvent } {
  let decoded: HookEvent | undefined;
  Object.defineProperty(target, 'event', {
    enumerable: true,
    configurable: true,
    get: () => (decoded ??= decodeStoredEvent(stored)),
  });
  storedBodies.set(target, stored);
  return target as T & { readonly event: HookEvent };
}

/** The stored form an `event` was defined from by `defineStoredEvent`, when it was. */
export function storedEventBody(holder: object): StoredEventBody | undefined {
  return storedBodies.get(holder);
}

/** Whether a record carries an event (without decoding it). */
export function hasStoredEvent(record: object): boolean {
  return (
    'event' in record && (storedBodies.has(record) || (record as { event?: unknown }).event !== undefined)
  );
}
