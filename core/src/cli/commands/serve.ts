import { loadConfig, resolveConfigPath } from '../../config/load-config.js';
import { createHookmux } from '../../create-hookmux.js';
import { createLogger } from '../../logging/create-logger.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { toErrors } from '../load-for-cli.js';

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
    const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, secrets, destination: io.out });
    hookmux = await createHookmux({ config, logger, secrets });
    await hookmux.listen();
  } catch (error) {
    writeLine(io.err, `hookmux: cannot start with ${file}`);
    for (const e of toErrors(error)) writeLine(io.err, `  ✗ ${e.describe()}`);
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
  });
}
