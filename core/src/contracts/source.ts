import type { HookmuxError } from '../errors/hookmux-error.js';
import type { JsonSchema } from '../config/json-schema.js';
import type { Logger } from '../logging/logger.js';
import type { HookEvent } from './hook-event.js';

export const Source = Symbol.for('@hookmux/core/Source');

/** What core hands a source: the request, with the raw bytes for verification. */
export interface InboundRequest {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer;
  readonly ip: string;
  readonly receivedAt: number;
}

export interface HttpReply {
  readonly status: number;
  readonly body: unknown;
}

/** What happened to an accepted event, for the source to phrase its answer. */
export interface IntakeOutcome {
  readonly event: HookEvent;
  /** Deliveries queued for this request (0 for a duplicate, a ping or an unrouted event). */
  readonly deliveries: number;
  readonly duplicate: boolean;
}

/** A playground sample: a made-up but real-shaped delivery. */
export interface SourceSample {
  readonly label: string;
  /** The host's event header value sent with it (`Push Hook`, `push`), or the event type. */
  readonly event: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Other headers the host sends with it, lower case (e.g. `x-github-event`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SourceEndpoint {
  readonly method: 'POST';
  /** koa-router path, may contain `:params`. */
  readonly path: string;
}

export interface SourceContext {
  /** This source's section of the config (`sources.<id>`), validated against `configSchema`. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** Clock, so tests can pin it to a recorded delivery's time. */
  readonly now: () => number;
  /**
   * A once-only memory shared by every instance of this hookmux (the queue's storage, e.g. Redis),
   * for replay protection; absent when the storage has none (one process: remember in memory).
   */
  readonly rememberOnce?: (key: string, expiresAt: number, now: number) => Promise<boolean>;
  /** Dry runs only (`hookmux render`, the admin playground): parse without checking tokens or signatures. */
  readonly skipVerification?: boolean;
}

/**
 * A source turns HTTP requests into HookEvents. Core captures the raw body, enforces the size
 * limit, checks the content type, and calls `receive`; the source verifies, parses and
 * normalises. Sources that speak another vendor's API phrase their own answers.
 */
export interface Source {
  /** `gitee`, `dingtalk`, ...: the key under `sources:` and the `source` of its events. */
  readonly id: string;
  /** JSON Schema of `sources.<id>`. */
  readonly configSchema: JsonSchema;
  /** Keys (dot paths inside the section, `*` for any map key) whose values are secrets. */
  readonly secretKeys: readonly string[];
  /**
   * Every event name this source can emit (`gitee.push.update`, `github.workflow_run.failed`):
   * `hookmux check` refuses routes whose `event`/`action` filters no name can match, and the
   * admin page lists them. Absent: the source's events are not checked.
   */
  readonly eventNames?: readonly string[];
  /** Payloads the admin playground offers for this source (shaped like real deliveries). */
  readonly samples?: readonly SourceSample[];
  endpoints(settings: Readonly<Record<string, unknown>>): readonly SourceEndpoint[];
  /** Warnings to log at start-up (e.g. running without a secret). */
  checkSettings?(settings: Readonly<Record<string, unknown>>): readonly string[];
  /** Verify, parse and normalise. Throws a HookmuxError (4xx) for bad input. */
  receive(request: InboundRequest, context: SourceContext): Promise<HookEvent> | HookEvent;
  /** The success answer; default `{ok, event, deliveries}`. */
  reply?(outcome: IntakeOutcome): HttpReply;
  /** The error answer; default `{error: {code, message, hint}}` with the error's status. */
  replyError?(error: HookmuxError): HttpReply;
}
