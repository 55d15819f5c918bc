import { loadConfig, resolveConfigPath } from '../../config/load-config.js';
import { createHookmux } from '../../create-hookmux.js';
import { HookmuxError, HookmuxErrors } from '../../errors/hookmux-error.js';
import { createLogger } from '../../logging/create-logger.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { toErrors } from '../load-for-cli.js';

const isHookmuxProblem = (error: unknown): boolean =>
  error instanceof HookmuxErrors || HookmuxError.is(error);

/**
 * `hookmux worker`: the dispatcher without the HTTP server. With `storage: redis` any number of
 * workers (and `serve` instances) share the queue; with `storage: sqlite` run one per file, since
 * a second dispatcher on the same file would break per-robot ordering and the embedded limiter.
 * Runs until SIGTERM/SIGINT, then finishes or releases in-flight sends and exits 0.
 */
export async function runWorkerCommand(configOption: string | undefined, io: CliIo): Promise<number> {
  const file = resolveConfigPath(configOption, io.cwd);
  const secrets = { values: [] as readonly string[] };
  let hookmux;
  try {
    const config = await loadConfig(file, { env: io.env });
    const logger = createLogger({
      level: config.log.level,
      pretty: config.log.pretty,
      secrets,
      destination: io.out,
    });
    hookmux = await createHookmux({ config, logger, secrets, env: io.env });
    await hookmux.queue.start();
    // Config and template changes reach the worker too: where queued messages go, and how merged.
    hookmux.reloader.watch();
    logger.info(
      { storage: config.storage.type, sinks: hookmux.holder.current.sinks.size },
      'hookmux worker dispatching',
    );
  } catch (error) {
    writeLine(io.err, `hookmux: cannot start the worker with ${file}`);
    const problems = isHookmuxProblem(error)
      ? toErrors(error).map((e) => e.describe())
      : [(error as Error).message];
    for (const problem of problems) writeLine(io.err, `  ✗ ${problem}`);
    await hookmux?.close();
    return exitCodes.failure;
  }
  const running = hookmux;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      writeLine(io.err, `hookmux worker: ${signal}, stopping`);
      running.close().then(
        () => resolve(exitCodes.ok),
        (error: unknown) => {
          writeLine(io.err, `hookmux worker: error while stopping: ${String(error)}`);
          resolve(exitCodes.failure);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void running.reloader.reload('SIGHUP'));
  });
}
