import type { Person, RateLimit, Sink, SinkTarget } from './sink.js';

export const SinkDirectory = Symbol.for('@hookmux/core/SinkDirectory');

/** A configured sink with its plugin, as the dispatcher needs it. */
export interface ResolvedSink {
  readonly sink: Sink;
  readonly target: SinkTarget;
  /** Limits in force for this target (the sink's `rateLimit:` or the plugin's defaults). */
  readonly rateLimits: readonly RateLimit[];
  /** `robotKey` of the target: targets with the same key share one rate limit. */
  readonly robotKey: string;
  /** Merge a backlog into digests (`merge:`, default true). */
  readonly merge: boolean;
  /** Quiet mode (`batch:`), ms: messages are held and sent as one digest per period. */
  readonly batchMs?: number;
  /** HTTP timeout of one send, ms. */
  readonly timeoutMs: number;
}

/**
 * Looks up configured sinks by name. It always answers from the config in force, so a reload
 * changes where queued messages go without touching the queue.
 */
export interface SinkDirectory {
  resolve(name: string): ResolvedSink | undefined;
  names(): readonly string[];
  people(): readonly Person[];
}
