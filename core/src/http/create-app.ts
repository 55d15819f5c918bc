import Router from '@koa/router';
import Koa from 'koa';

import type { HookmuxError as HookmuxErrorType } from '../errors/hookmux-error.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { HttpReply, InboundRequest, IntakeOutcome, Source } from '../contracts/source.js';
import type { Logger } from '../logging/logger.js';
import type { Intake } from '../runtime/intake.js';
import type { RuntimeHolder } from '../runtime/runtime-holder.js';
import { compileIpAllowList } from './is-ip-allowed.js';
import { readRawBody } from './read-raw-body.js';

export interface AppDeps {
  readonly holder: RuntimeHolder;
  readonly intake: Intake;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Extra readiness checks (storage writable, dispatcher alive). */
  readonly readiness?: () => Promise<Record<string, boolean>>;
  /** More routes (metrics, the admin page and API), mounted before the sources'. */
  readonly routers?: readonly Router[];
  /** The queue's shared once-only memory, passed on to sources (replay protection across instances). */
  readonly rememberOnce?: (key: string, expiresAt: number, now: number) => Promise<boolean>;
  /** Told about every refused request (metrics). */
  readonly onRejected?: (source: string, error: HookmuxError) => void;
}

/**
 * The koa app: one POST route per endpoint of each configured source, plus health checks. Routes
 * are looked up in the runtime in force on each request, so a reload can add or move them.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.holder.current.config.server.trustProxy });
  const now = deps.now ?? Date.now;

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const err = HookmuxError.is(error)
        ? error
        : new HookmuxError('HM_ERR_INTERNAL', undefined, { cause: error });
      if (!err.expose) deps.logger.error({ err: error, path: ctx.path }, 'request failed');
      ctx.status = err.status;
      ctx.body = defaultErrorBody(err);
    }
  });

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  health.get('/readyz', async (ctx) => {
    const checks = { config: true, ...(await deps.readiness?.()) };
    const ok = Object.values(checks).every(Boolean);
    ctx.status = ok ? 200 : 503;
    ctx.body = { ok, checks };
  });
  app.use(health.routes());
  for (const router of deps.routers ?? []) app.use(router.routes());

  let sourceRoutes = buildSourceRouter(deps, now).routes() as Koa.Middleware;
  deps.holder.onSwap(() => {
    sourceRoutes = buildSourceRouter(deps, now).routes() as Koa.Middleware;
  });
  app.use(async (ctx, next) => {
    await (sourceRoutes(ctx, next) as Promise<void>);
  });

  app.use((ctx) => {
    throw new HookmuxError('HM_ERR_HTTP_NOT_FOUND', `no endpoint ${ctx.method} ${ctx.path}`);
  });
  return app;
}

function buildSourceRouter(deps: AppDeps, now: () => number): Router {
  const router = new Router();
  const { config } = deps.holder.current;
  for (const [id, active] of deps.holder.current.sources) {
    const { source, settings } = active;
    const allow = Array.isArray(settings['allow'])
      ? compileIpAllowList(settings['allow'] as string[])
      : undefined;
    const logger = deps.logger.child({ source: id });
    for (const endpoint of source.endpoints(settings)) {
      router.post(endpoint.path, async (ctx) => {
        const reply = await handle(
          source,
          logger,
          (err) => deps.onRejected?.(id, err),
          async () => {
            if (allow && !allow(ctx.ip)) {
              throw new HookmuxError('HM_ERR_HTTP_FORBIDDEN_IP', `client address ${ctx.ip} is not allowed`, {
                hint: `add it to sources.${id}.allow`,
              });
            }
            const rawBody = await readRawBody(ctx.req, config.server.bodyLimit);
            if (!ctx.is('application/json') && !ctx.is('+json')) {
              throw new HookmuxError('HM_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', undefined, {
                hint: 'send the body as JSON with Content-Type: application/json',
              });
            }
            const request: InboundRequest = {
              method: ctx.method,
              path: ctx.path,
              headers: ctx.headers as Record<string, string | undefined>,
              query: ctx.query as Record<string, string | undefined>,
              params: ctx.params,
              rawBody,
              ip: ctx.ip,
              receivedAt: now(),
            };
            const event = await source.receive(request, {
              settings,
              logger,
              now,
              ...(deps.rememberOnce ? { rememberOnce: deps.rememberOnce } : {}),
            });
            return deps.intake.accept(event);
          },
        );
        ctx.status = reply.status;
        ctx.body = reply.body;
      });
    }
  }
  return router;
}

async function handle(
  source: Source,
  logger: Logger,
  onRejected: (error: HookmuxError) => void,
  work: () => Promise<IntakeOutcome>,
): Promise<HttpReply> {
  try {
    const outcome = await work();
    return source.reply?.(outcome) ?? defaultReply(outcome);
  } catch (error) {
    const err = HookmuxError.is(error)
      ? error
      : new HookmuxError('HM_ERR_INTERNAL', undefined, { cause: error });
    if (err.expose) logger.warn({ code: err.code, reason: err.describe() }, 'request rejected');
    else logger.error({ err: error }, 'request failed');
    onRejected(err);
    return source.replyError?.(err) ?? { status: err.status, body: defaultErrorBody(err) };
  }
}

function defaultReply(outcome: IntakeOutcome): HttpReply {
  return {
    status: 200,
    body: {
      ok: true,
      event: outcome.event.name,
      id: outcome.event.id,
      deliveries: outcome.deliveries,
      ...(outcome.duplicate ? { duplicate: true } : {}),
      ...(outcome.event.ping ? { ping: true } : {}),
    },
  };
}

/** Koa's rule: only 4xx messages reach the caller; a 5xx says only that it failed. */
function defaultErrorBody(err: HookmuxErrorType): unknown {
  return err.expose
    ? { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } }
    : { error: { code: err.code, message: 'Internal Server Error' } };
}
