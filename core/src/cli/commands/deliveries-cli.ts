import type { SinkDirectory } from '../../contracts/sink-directory.js';
import { SqliteQueue } from '../../delivery/sqlite-queue.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { RuntimeHolder } from '../../runtime/runtime-holder.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { loadForCli } from '../load-for-cli.js';
import { runDeliveriesCommand } from './deliveries.js';

/** With a broken config the outbox can still be listed; sends wait for a config that names the sinks. */
const noSinks: SinkDirectory = { resolve: () => undefined, names: () => [], people: () => [] };

/**
 * `hookmux deliveries ...` against the config's storage. Works beside a running server (SQLite in
 * WAL mode): replayed rows are picked up by the server's dispatcher.
 */
export async function runDeliveriesCli(argv: readonly string[], io: CliIo): Promise<number> {
  const { configOption, args } = takeConfigOption(argv);
  const loaded = await loadForCli(configOption, io);
  const config = loaded.config;
  if (!config) {
    for (const e of loaded.errors) writeLine(io.err, `✗ ${e.describe()}`);
    return exitCodes.failure;
  }
  if (config.storage.type !== 'sqlite') {
    writeLine(io.err, `✗ hookmux deliveries reads storage: sqlite; this config uses ${config.storage.type}`);
    return exitCodes.failure;
  }
  const store = new SqliteQueue({
    path: config.storage.path,
    sinks: loaded.runtime ? new RuntimeHolder(loaded.runtime) : noSinks,
    logger: new MemoryLogger(),
    delivery: config.delivery,
  });
  try {
    return await runDeliveriesCommand(args, store, io);
  } finally {
    await store.stop();
  }
}

/** `-c FILE` / `--config FILE` / `--config=FILE` may stand anywhere among the subcommand's own options. */
function takeConfigOption(argv: readonly string[]): { configOption: string | undefined; args: string[] } {
  const args: string[] = [];
  let configOption: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '-c' || arg === '--config') {
      configOption = argv[i + 1];
      i += 1;
    } else if (arg.startsWith('--config=')) {
      configOption = arg.slice('--config='.length);
    } else {
      args.push(arg);
    }
  }
  return { configOption, args };
}
