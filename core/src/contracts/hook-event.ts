/** Service identifier for listeners that want every accepted event (metrics, admin). */
export const HookEvent = Symbol.for('@hookmux/core/HookEvent');

/**
 * One request from a source, normalised. The event name is `source.type[.action]`
 * (`gitee.merge_request.merge`); routes and templates key on it.
 */
export interface HookEvent {
  /** Stable de-duplication id: the same delivery posted twice has the same id. */
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly action?: string;
  /** `source.type[.action]`. */
  readonly name: string;
  /** Repository id (`path_with_namespace` for Gitee). */
  readonly repo?: string;
  /** Branch the event is about (pushes: the pushed branch; pull requests: the target branch). */
  readonly branch?: string;
  readonly tag?: string;
  /** Login of who did it. */
  readonly actor?: string;
  /** Robot token, for the DingTalk/Feishu-compatible sources. */
  readonly robot?: string;
  /** The source's test button ("ping"): only routes with `ping: true` get it. */
  readonly ping: boolean;
  /** Epoch ms when hookmux received it. */
  readonly receivedAt: number;
  /** A web link to the thing the event is about, used by truncation markers and digests. */
  readonly url?: string;
  /** A one-line summary, used in digests. */
  readonly summary: string;
  /** The parsed body, with secrets redacted. Templates read it as `payload`. */
  readonly payload: unknown;
  /** Source-specific normalised fields, merged into the template context. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Builds the event name from its parts. */
export function toEventName(source: string, type: string, action?: string): string {
  return action ? `${source}.${type}.${action}` : `${source}.${type}`;
}
