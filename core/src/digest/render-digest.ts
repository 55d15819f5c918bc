import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import { buildDigest } from '../delivery/build-digest.js';
import type { MessageRenderer, RenderTarget } from '../templates/message-renderer.js';

/** One queued delivery going into a digest: the stored event and the route that sent it here. */
export interface DigestEntry {
  readonly deliveryId: string;
  readonly event: HookEvent;
  readonly route: string;
  /** The route's own template folder, when it has one. */
  readonly routeDir?: string;
}

export interface DigestInput {
  /** Oldest first, at least one, all for one sink. */
  readonly entries: readonly DigestEntry[];
  readonly to: RenderTarget;
  readonly renderer: MessageRenderer;
  /** Becomes the digest's `eventId`, and is recorded on the rows it carries. */
  readonly digestId: string;
  /** `to.sink.maxTextBytes(to.target)`: the digest's text never exceeds it (UTF-8 bytes). */
  readonly maxBytes: number;
}

export interface RenderedDigest {
  readonly message: Message;
  /** How many entries (a prefix, oldest first) the message carries; the rest stay queued. */
  readonly included: number;
}

/**
 * The dispatcher's one call for a digest. Interim body (the digest work replaces it): each event
 * rendered alone, then merged by `buildDigest`.
 */
export function renderDigest(input: DigestInput): RenderedDigest {
  const messages = input.entries.map((entry) => input.renderer.render(entry.event, input.to, entry.routeDir));
  const { message, included } = buildDigest(messages, {
    maxTextBytes: input.maxBytes,
    digestId: input.digestId,
  });
  return { message, included };
}
