import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import type { ResolvedSink } from '../contracts/sink-directory.js';
import { renderDigest, type DigestEntry } from '../digest/render-digest.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { defaultDialect, escapeForDialect, toHttpUrl } from '../templates/escape-for-dialect.js';
import type { MessageRenderer } from '../templates/message-renderer.js';

/** What the dispatcher asks to be rendered: one event, or several merged into one digest. */
export interface SendRenderRequest {
  /** Oldest first, at least one, all for `to`. */
  readonly entries: readonly DigestEntry[];
  readonly to: ResolvedSink;
  /** Present when `entries` may be merged (more than one). */
  readonly digestId?: string;
}

export interface RenderedSend {
  readonly message: Message;
  /** How many entries (a prefix) the message carries; the dispatcher re-queues the rest. */
  readonly included: number;
}

/**
 * Renders at send time, from the templates in force. The dispatcher's only way to a message; the
 * implementation may render on this thread (`InlineSendRenderer`) or in a worker thread
 * (`WorkerSendRenderer`) so that a slow template never blocks intake.
 */
export interface SendRenderer {
  render(request: SendRenderRequest): Promise<RenderedSend>;
  close?(): Promise<void>;
}

/**
 * Renders on the calling thread with the renderer in force. A template that fails at run time does
 * not lose the event: the sink gets a plain fallback (summary and link) and the log says which
 * template broke.
 */
export class InlineSendRenderer implements SendRenderer {
  constructor(
    private readonly renderer: () => MessageRenderer | undefined,
    private readonly logger: Logger,
  ) {}

  render(request: SendRenderRequest): Promise<RenderedSend> {
    return Promise.resolve(renderNow(this.renderer(), request, this.logger));
  }
}

/** The synchronous core of every renderer (also what the worker thread runs). */
export function renderNow(
  renderer: MessageRenderer | undefined,
  request: SendRenderRequest,
  logger: Logger,
): RenderedSend {
  const { entries, to } = request;
  const first = entries[0];
  if (first === undefined) throw new RangeError('nothing to render');
  if (renderer === undefined) return { message: fallbackMessage(first.event, to), included: 1 };
  if (entries.length > 1 && request.digestId !== undefined) {
    try {
      return renderDigest({
        entries,
        to,
        renderer,
        digestId: request.digestId,
        maxBytes: to.sink.maxTextBytes(to.target),
      });
    } catch (error) {
      logRenderFailure(
        logger,
        error,
        first.event,
        to,
        'digest failed to render; sending its events one by one',
      );
      // Falls through: the head alone, with its own fallback if its template is the broken one.
    }
  }
  try {
    return { message: renderer.render(first.event, to, first.routeDir), included: 1 };
  } catch (error) {
    logRenderFailure(logger, error, first.event, to, 'template failed; sending a fallback');
    return { message: fallbackMessage(first.event, to), included: 1 };
  }
}

function logRenderFailure(
  logger: Logger,
  error: unknown,
  event: HookEvent,
  to: ResolvedSink,
  text: string,
): void {
  const err = HookmuxError.is(error) ? error : new HookmuxError('HM_ERR_TPL_RENDER', String(error));
  logger.error({ eventId: event.id, sink: to.target.name, err: err.describe() }, text);
}

/** The built-in fallback: the event's summary and link, nothing from the payload's markup. */
export function fallbackMessage(event: HookEvent, to: Pick<ResolvedSink, 'sink' | 'target'>): Message {
  const format = to.sink.templateFormat(to.target);
  // The summary is payload text (a title, a name): shown as text in the sink's dialect, and the
  // link only when it is http(s), as any template would print them.
  const dialect = to.sink.dialect?.(to.target) ?? defaultDialect(format);
  const summary = escapeForDialect(event.summary.replace(/\s+/g, ' ').trim(), dialect);
  const url = toHttpUrl(event.url);
  const text = url ? `${summary}\n${url}` : summary;
  return {
    eventId: event.id,
    eventName: event.name,
    sink: to.target.name,
    format,
    text,
    fields: {},
    mentions: { userIds: [], mobiles: [], all: false },
    ...(url ? { url } : {}),
    summary: event.summary,
    count: 1,
  };
}
