import type { HookEvent } from '../contracts/hook-event.js';

/** The stored JSON behind a lazily parsed `event` property. */
const storedJson = new WeakMap<object, string>();

/**
 * Gives `target` an enumerable `event` parsed from `json` on first read. A digest claims up to a
 * thousand rows and hands most of them to the render thread: parsing them on the main thread only
 * to copy them there would cost both time and memory, so the JSON itself is handed on
 * (`storedEventJson`) and parsed where it is rendered.
 */
export function defineStoredEvent<T extends object>(
  target: T,
  json: string,
): T & { readonly event: HookEvent } {
  let parsed: HookEvent | undefined;
  Object.defineProperty(target, 'event', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= JSON.parse(json) as HookEvent),
  });
  storedJson.set(target, json);
  return target as T & { readonly event: HookEvent };
}

/** The JSON an `event` was defined from by `defineStoredEvent`, when it was. */
export function storedEventJson(holder: object): string | undefined {
  return storedJson.get(holder);
}

/** Whether a record carries an event (without parsing it). */
export function hasStoredEvent(record: object): boolean {
  return 'event' in record && (storedJson.has(record) || (record as { event?: unknown }).event !== undefined);
}
