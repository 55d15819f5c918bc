import type { HookmuxConfig } from '../config/hookmux-config.js';
import type { DeliveryStorage, StorageDeps } from '../contracts/delivery-storage.js';
import type { DeliveryStore } from '../contracts/delivery-store.js';
import type { LegacyQueue, Queue } from '../contracts/queue.js';
import type { QueueProvider } from '../contracts/queue-provider.js';
import type { SinkDirectory } from '../contracts/sink-directory.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import { InlineSendRenderer, renderNow, type SendRenderer } from '../delivery/send-renderer.js';
import { SqliteStorage } from '../delivery/sqlite-storage.js';
import { WorkerSendRenderer } from '../delivery/worker-send-renderer.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import type { LoadPluginsOptions } from '../plugins/load-plugins.js';
import type { RuntimeHolder } from './runtime-holder.js';

/** `storage: {type: sqlite}` and `{type: memory}` (the same outbox in memory, for tests and dry runs). */
export class SqliteQueueProvider implements QueueProvider {
  constructor(readonly type: 'sqlite' | 'memory') {}

  openStorage(deps: StorageDeps): Promise<DeliveryStorage> {
    const path = deps.storage.type === 'sqlite' ? deps.storage.path : ':memory:';
    return Promise.resolve(new SqliteStorage({ path, logger: deps.logger }));
  }
}

export const builtinQueueProviders: readonly QueueProvider[] = [
  new SqliteQueueProvider('sqlite'),
  new SqliteQueueProvider('memory'),
];

export interface CreateQueueOptions {
  /**
   * The runtime in force, for processes that send (serve, worker): the dispatcher renders with
   * its templates. Inspection-only processes (the CLI) leave it out.
   */
  readonly holder?: RuntimeHolder;
  /** How the plugins were loaded: render threads load the same packages (without it, render inline). */
  readonly plugins?: LoadPluginsOptions;
  /** Overrides the renderer built from `holder` (tests). */
  readonly renderer?: SendRenderer;
}

/**
 * The queue for `storage:`: core's one `Dispatcher` over the storage a provider opens (`sqlite`
 * and `memory` are built in; other types come from `queue` plugins).
 */
export async function createQueue(
  config: HookmuxConfig,
  sinks: SinkDirectory,
  logger: Logger,
  providers: readonly QueueProvider[],
  options: CreateQueueOptions = {},
): Promise<Queue & DeliveryStore> {
  const storage = config.storage;
  const queueLogger = logger.child({ component: 'queue' });
  const provider = [...providers, ...builtinQueueProviders].find((p) => p.type === storage.type);
  const holder = options.holder;
  if (provider?.openStorage) {
    const opened = await provider.openStorage({ storage, logger: queueLogger });
    const renderLogger = logger.child({ component: 'render' });
    const renderer =
      options.renderer ??
      (holder === undefined
        ? undefined
        : options.plugins === undefined
          ? new InlineSendRenderer(() => holder.current.renderer, renderLogger)
          : new WorkerSendRenderer({ holder, plugins: options.plugins, logger: renderLogger }));
    return new Dispatcher({
      storage: opened,
      sinks,
      logger: queueLogger,
      delivery: config.delivery,
      ...(renderer ? { renderer } : {}),
      ...(storage.retention ? { retention: storage.retention } : {}),
    });
  }
  if (!provider?.create) {
    throw new HookmuxError('HM_ERR_PLUGIN_NO_SOURCE', `no plugin provides storage type "${storage.type}"`, {
      at: 'storage.type',
      hint: `install the queue plugin for it (@hookmux/queue-${storage.type}), or use storage: { type: sqlite }`,
    });
  }
  const legacy = await provider.create({ storage, delivery: config.delivery, sinks, logger: queueLogger });
  return renderingAtIntake(legacy, sinks, holder, logger);
}

/**
 * A queue of the older shape takes rendered messages: render at intake for it, as hookmux did
 * before the outbox kept events.
 */
function renderingAtIntake(
  legacy: LegacyQueue & DeliveryStore,
  sinks: SinkDirectory,
  holder: RuntimeHolder | undefined,
  logger: Logger,
): Queue & DeliveryStore {
  const queue = legacy;
  const enqueue = legacy.enqueue.bind(legacy);
  const renderLogger = logger.child({ component: 'render' });
  queue.enqueue = (deliveries) => {
    const rendered = [];
    for (const d of deliveries) {
      const to = sinks.resolve(d.sink);
      if (!to) continue; // config validation makes this unreachable
      const entry = {
        deliveryId: '',
        event: d.event,
        route: d.route,
        ...(d.routeDir ? { routeDir: d.routeDir } : {}),
      };
      const { message } = renderNow(holder?.current.renderer, { entries: [entry], to }, renderLogger);
      rendered.push({ ...d, message });
    }
    return enqueue(rendered);
  };
  return queue;
}
