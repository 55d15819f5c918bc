import type { Logger, StorageHealth } from '@hookmux/core';
import type { Redis } from 'ioredis';

/** Redis answers that mean "this server cannot keep what it is given right now". */
const unhealthyReplies: readonly [RegExp, string][] = [
  [/^OOM\b/, 'full'],
  [/^READONLY\b/, 'readonly'],
  [/^MISCONF\b/, 'io'],
  [/^NOREPLICAS\b/, 'io'],
];

/** What every store of one `RedisStorage` shares: the connection, the key prefix, the health. */
export class RedisContext {
  readonly client: Redis;
  /** `<prefix>:`, the start of every key. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  /**
   * The value of `<prefix>:meta` when this process opened the storage. Another value, or none,
   * means hookmux's keys were flushed (or Redis restarted without persistence) under it: what it
   * had accepted is gone, and nothing more is accepted until it is restarted and looked at.
   */
  marker = '';
  #failure: StorageHealth | undefined;

  constructor(client: Redis, prefix: string, logger: Logger) {
    this.client = client;
    this.keyPrefix = `${prefix}:`;
    this.logger = logger;
  }

  /** The last write failure that means "cannot keep data", until a health check passes. */
  get failure(): StorageHealth | undefined {
    return this.#failure;
  }

  clearFailure(): void {
    if (this.#failure !== undefined) this.logger.info({}, 'Redis accepts writes again');
    this.#failure = undefined;
  }

  /** The marker is not ours: remembers that, and returns the error to throw. */
  markerLost(found: 'deleted' | 'replaced' = 'deleted'): Error {
    const detail =
      found === 'deleted'
        ? `hookmux's keys under ${this.keyPrefix} vanished from Redis (FLUSHALL/FLUSHDB, or a restart without persistence): events accepted before are lost`
        : `hookmux's keys under ${this.keyPrefix} were flushed and recreated by another process: events accepted before may be lost`;
    if (this.#failure?.ok !== false || this.#failure.reason !== found)
      this.logger.error({ reason: found }, `${detail}; refusing events until hookmux is restarted`);
    this.#failure = { ok: false, reason: found, detail };
    return new Error(detail);
  }

  /** Runs a command; an answer that means "cannot keep data" makes the storage unhealthy. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /** Classifies an error; remembers it when it says the server cannot keep data. */
  noteFailure(error: unknown): StorageHealth | undefined {
    const health = classifyRedisError(error);
    if (health === undefined || health.ok) return undefined;
    if (health.reason === 'down') return health; // the connection state says so already
    if (this.#failure === undefined)
      this.logger.error(
        { reason: health.reason, detail: health.detail },
        'Redis refuses writes; refusing new events until it accepts them again',
      );
    this.#failure = health;
    return health;
  }
}

/** `full` (OOM), `readonly` (a replica), `io` (MISCONF: persistence failing), `down` (anything else). */
export function classifyRedisError(error: unknown): StorageHealth | undefined {
  if (error === undefined || error === null) return undefined;
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown Redis error';
  for (const [pattern, reason] of unhealthyReplies)
    if (pattern.test(message)) return { ok: false, reason, detail: message };
  return { ok: false, reason: 'down', detail: message };
}
