import type { Server } from 'node:http';

import type Koa from 'koa';

import type { HookmuxConfig } from './config/hookmux-config.js';
import type { DeliveryStore } from './contracts/delivery-store.js';
import type { Queue } from './contracts/queue.js';
import { QueueProvider } from './contracts/queue-provider.js';
import { HookmuxErrors } from './errors/hookmux-error.js';
import { createAdminRouter } from './admin/create-admin-router.js';
import { createApp } from './http/create-app.js';
import { createMetrics, type Metrics } from './metrics/create-metrics.js';
import type { Logger } from './logging/logger.js';
import type { LoadPluginsOptions } from './plugins/load-plugins.js';
import type { PluginSet } from './runtime/build-runtime.js';
import { composeHookmux } from './compose-hookmux.js';
import { ConfigReloader } from './runtime/config-reloader.js';
import { RecentEvents } from './runtime/recent-events.js';
import { explainNoMatch } from './routing/compile-routes.js';
import { Intake } from './runtime/intake.js';
import type { RuntimeHolder } from './runtime/runtime-holder.js';
import { createQueue } from './runtime/create-queue.js';
import type { Container } from './shared/inversify.js';

export interface CreateHookmuxOptions {
  readonly config: HookmuxConfig;
  readonly logger: Logger;
  /** Filled with the secret values in force, for the logger's mask. */
  readonly secrets?: { values: readonly string[] };
  readonly plugins?: Partial<LoadPluginsOptions>;
  readonly now?: () => number;
  /** Environment for `${VAR}` when the config is reloaded (default: process.env). */
  readonly env?: Record<string, string | undefined>;
}

/** One running hookmux: the container, the runtime in force, the queue and the koa app. */
export interface Hookmux {
  readonly container: Container;
  readonly holder: RuntimeHolder;
  readonly intake: Intake;
  readonly queue: Queue & DeliveryStore;
  readonly events: RecentEvents;
  readonly plugins: PluginSet;
  readonly app: Koa;
  /** Reloads config and templates (SIGHUP, file changes); a broken config is refused. */
  readonly reloader: ConfigReloader;
  readonly metrics: Metrics;
  /** Starts the queue's dispatcher and listens on the config's host and port (or `port`). */
  listen(port?: number, host?: string): Promise<{ server: Server; url: string }>;
  /** Stops accepting, then stops the queue (finishing or releasing in-flight sends). */
  close(): Promise<void>;
}

/**
 * A running hookmux from the one composition (`composeHookmux`, which `hookmux worker` and the
 * CLI commands use too): refuses to start on any problem, then adds the queue, intake, admin API
 * and koa app.
 */
export async function createHookmux(options: CreateHookmuxOptions): Promise<Hookmux> {
  const { config, logger } = options;
  const composition = await composeHookmux({
    config,
    logger,
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  const { container, plugins, holder, runtime } = composition;
  if (!runtime || composition.errors.length > 0) throw new HookmuxErrors(composition.errors);
  if (options.secrets) options.secrets.values = runtime.secrets;
  for (const warning of runtime.warnings) logger.warn(warning);

  const providers = container.getAll<QueueProvider>(QueueProvider, { optional: true });
  const queue = await createQueue(config, holder, logger, providers, {
    holder,
    plugins: { extra: config.plugins, storageType: config.storage.type, ...options.plugins },
  });
  const intake = new Intake(holder, queue, logger);
  const events = new RecentEvents(200, (event) => explainNoMatch(event, holder.current.routes));
  intake.onAccepted((outcome, deliveries) =>
    events.add(outcome.event, outcome.duplicate ? [] : deliveries.map((d) => d.sink), outcome.duplicate),
  );
  const admin = createAdminRouter({
    token: () => holder.current.config.admin.token,
    holder,
    intake,
    store: queue,
    events,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const rememberOnce = queue.rememberOnce?.bind(queue);
  const metrics = createMetrics(queue);
  intake.onAccepted((outcome) => metrics.onAccepted(outcome));
  queue.observe?.((attempt) => metrics.onAttempt(attempt));
  const app = createApp({
    holder,
    intake,
    logger,
    routers: [metrics.router, admin],
    onRejected: (source, error) => metrics.onRejected(source, error),
    ...(rememberOnce ? { rememberOnce } : {}),
    readiness: () => checkReadiness(queue),
    ...(options.now ? { now: options.now } : {}),
  });

  const reloader = new ConfigReloader({
    holder,
    plugins,
    logger,
    env: options.env ?? process.env,
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });

  let server: Server | undefined;
  return {
    container,
    holder,
    intake,
    queue,
    events,
    plugins,
    app,
    reloader,
    metrics,
    async listen(port = config.server.port, host = config.server.host) {
      await queue.start();
      const listening = app.listen(port, host);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      const address = listening.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
      logger.info(
        { url, sources: [...runtime.sources.keys()], sinks: [...runtime.sinks.keys()] },
        'hookmux listening',
      );
      return { server: listening, url };
    },
    async close() {
      reloader.close();
      if (server) {
        const closing = server;
        const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
        // Keep-alive connections would hold close() open; in-flight requests still finish.
        closing.closeIdleConnections();
        await closed;
      }
      await queue.stop();
    },
  };
}

/**
 * `/readyz`: the storage answers (a stats query reaches it) and the dispatcher is running. Config
 * is loaded by construction: a broken one never gets this far.
 */
async function checkReadiness(queue: Queue & DeliveryStore): Promise<Record<string, boolean>> {
  let storage = true;
  try {
    await queue.stats();
  } catch {
    storage = false;
  }
  return { storage, dispatcher: queue.isRunning?.() ?? true };
}
