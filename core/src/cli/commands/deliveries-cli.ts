import type { SinkDirectory } from '../../contracts/sink-directory.js';
import type { DeliveryStore } from '../../contracts/delivery-store.js';
import type { Queue } from '../../contracts/queue.js';
import { QueueProvider } from '../../contracts/queue-provider.js';
import { createQueue } from '../../runtime/create-queue.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { loadForCli, toErrors } from '../load-for-cli.js';
import { runDeliveriesCommand } from './deliveries.js';

export { deliveriesUsage } from './deliveries.js';

/** With a broken config the outbox can still be listed; sends wait for a config that names the sinks. */
const noSinks: SinkDirectory = { resolve: () => undefined, names: () => [], people: () => [] };

/** For usage only: no subcommand body runs without a store. */
const noStore = new Proxy({} as DeliveryStore, {
  get: () => {
    throw new Error('no outbox opened for usage');
  },
});

/**
 * `hookmux deliveries ...` against the config's storage (SQLite, or a plugin's, e.g. Redis). Works
 * beside a running server: replayed deliveries are picked up by its dispatcher; this process
 * never dispatches.
 */
export async function runDeliveriesCli(
  configOption: string | undefined,
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const [subcommand] = args;
  // Usage needs no config (nor its environment variables).
  if (subcommand === undefined || subcommand === 'help') return runDeliveriesCommand([...args], noStore, io);
  const loaded = await loadForCli(configOption, io);
  const config = loaded.config;
  if (!config) {
    for (const e of loaded.errors) writeLine(io.err, `✗ ${e.describe()}`);
    return exitCodes.failure;
  }
  const sinks = loaded.holder ?? noSinks;
  const providers = loaded.container?.getAll<QueueProvider>(QueueProvider, { optional: true }) ?? [];
  let store: Queue & DeliveryStore;
  try {
    store = await createQueue(config, sinks, new MemoryLogger(), providers);
  } catch (error) {
    for (const e of toErrors(error)) writeLine(io.err, `✗ ${e.describe()}`);
    return exitCodes.failure;
  }
  try {
    return await runDeliveriesCommand([...args], store, { ...io, timeZone: config.templates.timeZone });
  } finally {
    await store.stop();
  }
}
