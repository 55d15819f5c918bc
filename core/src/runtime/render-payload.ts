import type { TemplateFormat } from '../contracts/message.js';
import type { InboundRequest } from '../contracts/source.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { explainNoMatch, matchRoutes } from '../routing/compile-routes.js';
import type { Logger } from '../logging/logger.js';
import type { Intake } from './intake.js';
import type { RuntimeHolder } from './runtime-holder.js';

/** `POST /api/render`'s body. */
export interface RenderInput {
  readonly source: string;
  /** The source's event header (`Push Hook`), for payloads that do not name their kind. */
  readonly event?: string;
  /** The webhook body, parsed or as text. */
  readonly payload: unknown;
}

export interface RenderedDelivery {
  readonly route: string;
  readonly sink: string;
  readonly type: string;
  /** The sink's message type (`markdown`, `text`), when it has one. */
  readonly format?: string;
  readonly templateFormat: TemplateFormat;
  readonly text: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly mentions: {
    readonly userIds: readonly string[];
    readonly mobiles: readonly string[];
    readonly all: boolean;
  };
  /** What the sink would POST to its robot. */
  readonly body: unknown;
}

export interface RenderOutput {
  readonly event: {
    readonly name: string;
    readonly id: string;
    readonly summary: string;
    readonly repo?: string;
    readonly actor?: string;
    readonly url?: string;
    readonly ping: boolean;
  };
  readonly deliveries: readonly RenderedDelivery[];
  /** For an event that matched no route: which filter of each route refused it. */
  readonly noRoute?: readonly string[];
}

/**
 * A dry run of one payload through the config in force, like `hookmux render`: the source
 * parses it without checking tokens (a pasted payload has none), `intake.plan` routes and
 * renders it, and nothing is queued or sent.
 */
export async function renderPayload(
  input: RenderInput,
  deps: { holder: RuntimeHolder; intake: Intake; logger: Logger; now?: () => number },
): Promise<RenderOutput> {
  const runtime = deps.holder.current;
  const active = runtime.sources.get(input.source);
  if (!active) {
    throw new HookmuxError('HM_ERR_ADMIN_BAD_REQUEST', `no source "${input.source}" is configured`, {
      hint: `configured sources: ${[...runtime.sources.keys()].join(', ') || 'none'}`,
    });
  }
  const rawBody = Buffer.from(
    typeof input.payload === 'string' ? input.payload : JSON.stringify(input.payload),
    'utf8',
  );
  const now = (deps.now ?? Date.now)();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (input.event) headers[`x-${input.source}-event`] = input.event;
  const request: InboundRequest = {
    method: 'POST',
    path: '/',
    headers,
    query: {},
    params: {},
    rawBody,
    ip: '127.0.0.1',
    receivedAt: now,
  };
  const event = await active.source.receive(request, {
    settings: active.settings,
    logger: deps.logger.child({ source: input.source, dryRun: true }),
    now: () => now,
    skipVerification: true,
  });
  const deliveries = deps.intake.plan(event).map((d): RenderedDelivery => {
    const resolved = deps.holder.resolve(d.sink);
    if (!resolved) throw new HookmuxError('HM_ERR_SINK_NOT_FOUND', `sink "${d.sink}" is not configured`);
    const format = resolved.target.settings['format'];
    return {
      route: d.route,
      sink: d.sink,
      type: resolved.target.type,
      ...(typeof format === 'string' ? { format } : {}),
      templateFormat: d.message.format,
      text: d.message.text,
      fields: d.message.fields,
      mentions: d.message.mentions,
      body: resolved.sink.toRequestBody(d.message, resolved.target),
    };
  });
  return {
    event: {
      name: event.name,
      id: event.id,
      summary: event.summary,
      ...(event.repo ? { repo: event.repo } : {}),
      ...(event.actor ? { actor: event.actor } : {}),
      ...(event.url ? { url: event.url } : {}),
      ping: event.ping,
    },
    deliveries,
    ...(matchRoutes(event, runtime.routes).length === 0
      ? { noRoute: explainNoMatch(event, runtime.routes) }
      : {}),
  };
}
