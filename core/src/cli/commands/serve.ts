import { loadConfig, resolveConfigPath } from '../../config/load-config.js';
import { createHookmux } from '../../create-hookmux.js';
import { createLogger } from '../../logging/create-logger.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { HookmuxError, HookmuxErrors } from '../../errors/hookmux-error.js';
import { toErrors } from '../load-for-cli.js';

const isHookmuxProblem = (error: unknown): boolean =>
  error instanceof HookmuxErrors || HookmuxError.is(error);

/**
 * `hookmux serve`: runs until SIGTERM/SIGINT, then stops accepting, lets in-flight sends finish
 * or releases them to the outbox, and exits 0.
 */
export async function runServeCommand(configOption: string | undefined, io: CliIo): Promise<number> {
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
    await hookmux.listen();
    hookmux.reloader.watch();
  } catch (error) {
    writeLine(io.err, `hookmux: cannot start with ${file}`);
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
      writeLine(io.err, `hookmux: ${signal}, stopping`);
      running.close().then(
        () => resolve(exitCodes.ok),
        (error: unknown) => {
          writeLine(io.err, `hookmux: error while stopping: ${String(error)}`);
          resolve(exitCodes.failure);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    const onHup = (): void => void running.reloader.reload('SIGHUP');
    process.on('SIGHUP', onHup);
  });
}
