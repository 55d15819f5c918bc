import type { Server } from 'node:http';

import type Koa from 'koa';

import type { HookmuxConfig } from './config/hookmux-config.js';
import { DeliveryStore } from './contracts/delivery-store.js';
import { Queue } from './contracts/queue.js';
import { QueueProvider } from './contracts/queue-provider.js';
import { SinkDirectory } from './contracts/sink-directory.js';
import { Sink } from './contracts/sink.js';
import { Source } from './contracts/source.js';
import { HookmuxErrors } from './errors/hookmux-error.js';
import { createAdminRouter } from './admin/create-admin-router.js';
import { createApp } from './http/create-app.js';
import { createMetrics, type Metrics } from './metrics/create-metrics.js';
import { Logger } from './logging/logger.js';
import {
  type LoadedPlugin,
  type LoadPluginsOptions,
  loadPlugins,
  pluginTemplateDirs,
} from './plugins/load-plugins.js';
import { buildRuntime, type PluginSet } from './runtime/build-runtime.js';
import { ConfigReloader } from './runtime/config-reloader.js';
import { RecentEvents } from './runtime/recent-events.js';
import { Intake } from './runtime/intake.js';
import { RuntimeHolder } from './runtime/runtime-holder.js';
import { Container } from './shared/inversify.js';
import { createQueue } from './runtime/create-queue.js';

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
 * The composition root: one inversify container with core's services and every enabled plugin's
 * ContainerModule, checked as a whole before anything listens.
 */
export async function createHookmux(options: CreateHookmuxOptions): Promise<Hookmux> {
  const { config, logger } = options;
  const { plugins: loaded, errors } = await loadPlugins({
    extra: config.plugins,
    storageType: config.storage.type,
    ...options.plugins,
  });
  if (errors.length > 0) throw new HookmuxErrors(errors);

  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...loaded.map((p) => p.module));
  const plugins = readPlugins(container, loaded);

  const { runtime, errors: runtimeErrors } = buildRuntime(config, plugins);
  if (!runtime) throw new HookmuxErrors(runtimeErrors);
  if (options.secrets) options.secrets.values = runtime.secrets;
  for (const warning of runtime.warnings) logger.warn(warning);

  const holder = new RuntimeHolder(runtime);
  container.bind(Logger).toConstantValue(logger);
  container.bind(RuntimeHolder).toConstantValue(holder);
  container.bind(SinkDirectory).toConstantValue(holder);
  const providers = container.getAll<QueueProvider>(QueueProvider, { optional: true });
  const queue = await createQueue(config, holder, logger, providers, {
    holder,
    plugins: { extra: config.plugins, storageType: config.storage.type, ...options.plugins },
  });
  container.bind(Queue).toConstantValue(queue);
  container.bind(DeliveryStore).toConstantValue(queue);
  const intake = new Intake(holder, queue, logger);
  container.bind(Intake).toConstantValue(intake);
  const events = new RecentEvents();
  intake.onAccepted((outcome, deliveries) =>
    events.add(outcome.event, outcome.duplicate ? [] : deliveries.map((d) => d.sink), outcome.duplicate),
  );
  container.bind(RecentEvents).toConstantValue(events);
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

/** Every contribution, always as an array (zero sinks is a valid state). */
export function readPlugins(container: Container, loaded: readonly LoadedPlugin[] = []): PluginSet {
  return {
    sinks: container.getAll<Sink>(Sink, { optional: true }),
    sources: container.getAll<Source>(Source, { optional: true }),
    templateDirs: pluginTemplateDirs(loaded),
  };
}
