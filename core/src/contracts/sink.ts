import type { JsonSchema } from '../config/json-schema.js';
import type { Logger } from '../logging/logger.js';
import type { Dialect, Message, TemplateFormat } from './message.js';

export const Sink = Symbol.for('@hookmux/core/Sink');

/** A configured sink: its name, and its validated section of `sinks:`. */
export interface SinkTarget {
  readonly name: string;
  readonly type: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * What a robot's answer means for delivery. Robots answer HTTP 200 with an error code in the
 * body, so a sink classifies mostly from the body; the status and headers count too (a 429, a
 * 5xx, `Retry-After`).
 */
export type DeliveryResult =
  | { readonly ok: true; readonly code?: number | string; readonly detail?: string }
  | {
      readonly ok: false;
      /** throttled: wait for the rate window; retryable: back off and retry; permanent: dead letter. */
      readonly kind: 'throttled' | 'retryable' | 'permanent';
      readonly code?: number | string;
      readonly detail: string;
      /**
       * How long to wait before the next try, when the robot says (`Retry-After`, or a code that
       * means "too fast" with a known window). The dispatcher waits at least this long.
       */
      readonly retryAfterMs?: number;
    };

export interface RateLimit {
  readonly count: number;
  readonly windowMs: number;
}

/**
 * What the dispatcher hands one send. A sink honours both `signal` and `timeoutMs` (the robot
 * sinks do through `sendToRobot`), and does not log a failed send above `debug`: the dispatcher
 * logs each failed attempt once, with what it does next.
 */
export interface SinkContext {
  readonly logger: Logger;
  /** Aborted when the dispatcher gives up on this send (its timeout, or a stop). */
  readonly signal?: AbortSignal;
  /**
   * How long this send may take, ms: the sink's own `timeout:`, else `delivery.timeout`
   * (`ResolvedSink.timeoutMs`). Absent when a sink is called directly; it then uses its section's
   * `timeout:`, else 10 s.
   */
  readonly timeoutMs?: number;
}

/**
 * A sink delivers messages to one kind of robot. It is stateless: everything it needs comes in
 * `target.settings`, so one instance serves every configured sink of its type.
 */
export interface Sink {
  /** The `type:` value in `sinks:` (`wecom`). */
  readonly type: string;
  /** JSON Schema of one `sinks.<name>` section (the `type` key included). */
  readonly configSchema: JsonSchema;
  /** Keys of the section whose values are secrets (masked in logs and errors). */
  readonly secretKeys: readonly string[];
  /** Default limits per robot; a sink's `rateLimit:` overrides the first. */
  readonly rateLimits: readonly RateLimit[];
  /** The key in the config's `people:` entries that holds this sink's user ids (`wecom`). */
  readonly identity?: string;
  /**
   * How `{{mention login}}` appears inline for a person with this sink's id. The id is also added
   * to the message's `mentions`, for sinks that mention through a list (WeCom text). An empty
   * string prints the person's name (`@张伟`) instead.
   */
  formatMention?(userId: string, format: TemplateFormat, target: SinkTarget): string;
  /** Which template format the sink's configured message type is rendered from. */
  templateFormat(target: SinkTarget): TemplateFormat;
  /** The markup the target's message type renders, so values printed by templates are escaped for it (issue 13). */
  dialect?(target: SinkTarget): Dialect;
  /** Identity of the robot behind the target: sinks pointing at one robot share its rate limit. */
  robotKey(target: SinkTarget): string;
  /** The largest `text` (UTF-8 bytes) one message may carry, for digests. */
  maxTextBytes(target: SinkTarget): number;
  /** The request body the sink would send (for `hookmux render` and the admin playground). */
  toRequestBody(message: Message, target: SinkTarget): unknown;
  /** Send one message; never throws for robot or network failures, it classifies them (see `SinkContext`). */
  send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult>;
  /** Problems to report at `hookmux check` (e.g. a mobile-only mention in markdown). */
  checkTarget?(target: SinkTarget, people: readonly Person[]): readonly string[];
}

/** One person, several identities (the config's `people:`). */
export interface Person {
  readonly [identity: string]: string | undefined;
}
