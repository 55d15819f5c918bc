import Router from '@koa/router';
import type { Context } from 'koa';

import {
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryStore,
  deliveryStatuses,
  isDeliveryStatus,
} from '../contracts/delivery-store.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { readRawBody } from '../http/read-raw-body.js';
import type { Logger } from '../logging/logger.js';
import type { Intake } from '../runtime/intake.js';
import type { RecentEvents } from '../runtime/recent-events.js';
import type { RuntimeHolder } from '../runtime/runtime-holder.js';
import { adminPageHtml } from './admin-page-html.js';
import { adminScript } from './admin-script.js';
import { adminStyles } from './admin-styles.js';
import { describeSinks } from './describe-sinks.js';
import { listTemplates } from './list-templates.js';
import { maskAdminOutput } from './mask-admin-output.js';
import { renderPayload } from '../runtime/render-payload.js';
import { renderNow } from '../delivery/send-renderer.js';
import { verifyBearerToken } from './verify-bearer-token.js';

export interface AdminRouterDeps {
  /** Read on every request, so that a config reload can turn admin on, off, or change the token. */
  readonly token: () => string | undefined;
  readonly holder: RuntimeHolder;
  readonly intake: Intake;
  readonly store: DeliveryStore;
  readonly events: RecentEvents;
  readonly logger: Logger;
  readonly now?: () => number;
}

const maxLimit = 500;
/** A pasted payload is a webhook body: the same order of size as `server.bodyLimit`, capped low. */
const maxAdminBodyBytes = 1024 * 1024;

/** Strict: the page is ours and loads only its own script and styles (no CDN, no inline code). */
const pageHeaders = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

/**
 * The admin page (`GET /admin`, static, no data) and its JSON API under `/api`, behind
 * `Authorization: Bearer <admin.token>`. With no token configured every one of these paths
 * answers exactly like an unknown path does, so a scan cannot tell that admin exists.
 */
export function createAdminRouter(deps: AdminRouterDeps): Router {
  const router = new Router();
  const enabled = (ctx: Context): string => {
    const token = deps.token();
    if (token === undefined || token === '') throw notFound(ctx);
    return token;
  };
  const api =
    (handler: (ctx: Context) => Promise<unknown>) =>
    async (ctx: Context): Promise<void> => {
      ctx.set('Cache-Control', 'no-store');
      try {
        const token = enabled(ctx);
        if (!verifyBearerToken(ctx.get('authorization') || undefined, token)) {
          // Never the presented value: a near-miss token is almost the secret.
          deps.logger.warn({ path: ctx.path, ip: ctx.ip }, 'admin API: missing or wrong bearer token');
          ctx.set('WWW-Authenticate', 'Bearer realm="hookmux"');
          throw new HookmuxError('HM_ERR_HTTP_UNAUTHORIZED', undefined, {
            hint: 'send Authorization: Bearer <admin.token>',
          });
        }
        const body = await handler(ctx);
        ctx.status = 200;
        ctx.body = maskAdminOutput(body, deps.holder.current.secrets);
      } catch (error) {
        writeError(ctx, error, deps.logger, deps.holder.current.secrets);
      }
    };
  const page = (type: string, content: string) => (ctx: Context) => {
    try {
      enabled(ctx);
      ctx.set(pageHeaders);
      ctx.type = type;
      ctx.body = content;
    } catch (error) {
      writeError(ctx, error, deps.logger, deps.holder.current.secrets);
    }
  };

  router.get('/admin', page('text/html; charset=utf-8', adminPageHtml));
  router.get('/admin/admin.js', page('text/javascript; charset=utf-8', adminScript));
  router.get('/admin/admin.css', page('text/css; charset=utf-8', adminStyles));

  router.get(
    '/api/events',
    api((ctx) => Promise.resolve({ events: deps.events.list(readLimit(ctx)) })),
  );

  router.get(
    '/api/deliveries',
    api(async (ctx) => {
      const query = readDeliveryQuery(ctx);
      const rows = await deps.store.list(query);
      const last = rows.at(-1);
      return {
        deliveries: rows.map(summarizeDelivery),
        // A full page may have more behind it; the id is the `before` cursor for the next one.
        ...(last !== undefined && rows.length === (query.limit ?? 50) ? { next: last.id } : {}),
      };
    }),
  );

  router.post(
    '/api/deliveries/replay-dead',
    api(async (ctx) => {
      const body = await readJsonBody(ctx);
      const sink = body['sink'];
      if (sink !== undefined && typeof sink !== 'string') throw badRequest('`sink` must be a string');
      if (sink !== undefined && deps.holder.resolve(sink) === undefined) throw unknownSink(sink);
      const replayed = await deps.store.replayDead(sink === undefined ? {} : { sink });
      deps.logger.info({ sink, replayed }, 'admin: dead letters replayed');
      return { replayed };
    }),
  );

  router.get(
    '/api/deliveries/:id',
    api(async (ctx) => {
      const record = await deps.store.get(readId(ctx));
      if (!record) throw deliveryNotFound(readId(ctx));
      return { delivery: describeDelivery(record, deps.holder, deps.logger) };
    }),
  );

  router.post(
    '/api/deliveries/:id/replay',
    api(async (ctx) => {
      const record = await deps.store.replay(readId(ctx));
      deps.logger.info({ id: record.id, sink: record.sink }, 'admin: delivery replayed');
      return { delivery: summarizeDelivery(record) };
    }),
  );

  router.get(
    '/api/sinks',
    api(async () => ({ sinks: describeSinks(deps.holder.current, await deps.store.stats()) })),
  );

  // Every configured source's playground samples (`Source.samples`), in config order.
  router.get(
    '/api/samples',
    api(() =>
      Promise.resolve({
        samples: [...deps.holder.current.sources.values()].flatMap(({ source }) =>
          (source.samples ?? []).map((sample) => ({ source: source.id, ...sample })),
        ),
      }),
    ),
  );

  router.get(
    '/api/templates',
    api(() => Promise.resolve(listTemplates(deps.holder.current))),
  );

  router.post(
    '/api/render',
    api(async (ctx) => {
      const body = await readJsonBody(ctx);
      const source = body['source'] ?? 'gitee';
      const event = body['event'];
      const payload = body['payload'];
      if (typeof source !== 'string') throw badRequest('`source` must be a string such as "gitee"');
      if (event !== undefined && typeof event !== 'string')
        throw badRequest('`event` must be the event header, such as "Push Hook"');
      if (payload === undefined || payload === null || payload === '')
        throw badRequest('`payload` is required: the webhook body, as an object or as JSON text');
      return renderPayload(
        { source, payload, ...(event === undefined || event === '' ? {} : { event }) },
        {
          holder: deps.holder,
          intake: deps.intake,
          logger: deps.logger,
          ...(deps.now ? { now: deps.now } : {}),
        },
      );
    }),
  );

  // Anything else under /api: unauthenticated callers learn nothing, not even which paths exist.
  router.all(
    /^\/api(?:\/.*)?$/,
    api((ctx) => Promise.reject(notFound(ctx))),
  );
  return router;
}

/** A delivery as the lists show it: everything but the message body. */
export function summarizeDelivery(record: DeliveryRecord): Record<string, unknown> {
  // Rows carry the stored event (rendered when sent); rows from an older outbox a rendered message.
  const { message, event, ...rest } = withoutRobotKey(record);
  return {
    ...rest,
    summary: message?.summary ?? event?.summary,
    ...(message ? { format: message.format } : {}),
    count: message?.count ?? 1,
  };
}

/** One delivery in full: the message, what the sink would send, and the robot's last answer. */
function describeDelivery(
  record: DeliveryRecord,
  holder: RuntimeHolder,
  logger: Logger,
): Record<string, unknown> {
  const { event, ...rest } = withoutRobotKey(record);
  const resolved = holder.resolve(record.sink);
  let request: unknown;
  let message = record.message;
  try {
    // Rows keep the event and are rendered when sent: show it as the templates in force render it.
    if (message === undefined && event !== undefined && resolved !== undefined) {
      const entry = {
        deliveryId: record.id,
        event,
        route: record.route,
        ...(record.routeDir ? { routeDir: record.routeDir } : {}),
      };
      message = renderNow(holder.current.renderer, { entries: [entry], to: resolved }, logger).message;
    }
    request = message && resolved ? resolved.sink.toRequestBody(message, resolved.target) : undefined;
  } catch {
    request = undefined; // a sink whose settings changed since; the message itself still shows
  }
  const answer =
    record.status === 'sent'
      ? { ok: true }
      : record.lastError
        ? {
            ok: false,
            ...(record.lastError.code ? { code: record.lastError.code } : {}),
            detail: record.lastError.detail,
          }
        : undefined;
  return {
    ...rest,
    ...(message === undefined ? {} : { message }),
    ...(request === undefined ? {} : { request }),
    ...(answer === undefined ? {} : { answer }),
  };
}

/** The robot digest is an internal join key; the API says which sinks share a robot instead. */
function withoutRobotKey(record: DeliveryRecord): Omit<DeliveryRecord, 'robotKey'> {
  const copy: Record<string, unknown> = { ...record };
  delete copy['robotKey'];
  return copy as unknown as Omit<DeliveryRecord, 'robotKey'>;
}

function readLimit(ctx: Context): number {
  const raw = ctx.query['limit'];
  if (raw === undefined || raw === '') return 50;
  const limit = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= maxLimit))
    throw badRequest(`\`limit\` must be a whole number from 1 to ${maxLimit}`);
  return limit;
}

function readDeliveryQuery(ctx: Context): DeliveryQuery {
  const { status, sink, before } = ctx.query;
  if (status !== undefined && status !== '' && !isDeliveryStatus(status))
    throw badRequest(`\`status\` must be one of ${deliveryStatuses.join(', ')}`);
  if (Array.isArray(sink) || Array.isArray(before)) throw badRequest('give `sink` and `before` once each');
  return {
    limit: readLimit(ctx),
    ...(isDeliveryStatus(status) ? { status } : {}),
    ...(sink ? { sink } : {}),
    ...(before ? { before } : {}),
  };
}

function readId(ctx: Context): string {
  const id = (ctx as { params?: Record<string, string | undefined> }).params?.['id'];
  if (id === undefined || id === '') throw badRequest('a delivery id is required');
  return id;
}

async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const raw = await readRawBody(ctx.req, maxAdminBodyBytes);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HookmuxError('HM_ERR_HTTP_BAD_JSON', undefined, { hint: 'send a JSON object' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The app's own answer for an unknown path, word for word. */
function notFound(ctx: Context): HookmuxError {
  return new HookmuxError('HM_ERR_HTTP_NOT_FOUND', `no endpoint ${ctx.method} ${ctx.path}`);
}

function badRequest(message: string): HookmuxError {
  return new HookmuxError('HM_ERR_ADMIN_BAD_REQUEST', message);
}

function unknownSink(name: string): HookmuxError {
  return new HookmuxError('HM_ERR_SINK_NOT_FOUND', `no sink "${name}" in the config in force`, {
    hint: 'GET /api/sinks lists the configured sinks',
  });
}

function deliveryNotFound(id: string): HookmuxError {
  return new HookmuxError('HM_ERR_DELIVERY_NOT_FOUND', `no delivery ${id}`, {
    hint: 'it may have been purged; GET /api/deliveries lists the outbox',
  });
}

/** Koa's rule, as in the app: 4xx say what and how to fix; 5xx go to the log only. */
function writeError(ctx: Context, error: unknown, logger: Logger, secrets: readonly string[]): void {
  const err = HookmuxError.is(error)
    ? error
    : new HookmuxError('HM_ERR_INTERNAL', undefined, { cause: error });
  if (!err.expose) logger.error({ err: error, path: ctx.path }, 'admin request failed');
  ctx.status = err.status;
  ctx.body = maskAdminOutput(
    err.expose
      ? { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } }
      : { error: { code: err.code, message: 'Internal Server Error' } },
    secrets,
  );
}
