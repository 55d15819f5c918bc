import { loadConfig, resolveConfigPath } from '../../config/load-config.js';
import { createHookmux, type Hookmux } from '../../create-hookmux.js';
import { HookmuxError, HookmuxErrors } from '../../errors/hookmux-error.js';
import { createLogger } from '../../logging/create-logger.js';
import { tuneHeapForServer } from '../../runtime/tune-heap.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { toErrors } from '../load-for-cli.js';

const isHookmuxProblem = (error: unknown): boolean =>
  error instanceof HookmuxErrors || HookmuxError.is(error);

/**
 * `hookmux serve` (HTTP and dispatcher) and `hookmux worker` (the dispatcher alone). With
 * `storage: redis` any number of workers and `serve` instances share the queue; with `storage:
 * sqlite` one process per file dispatches (a lease in the file), others stand by. Both reload on file changes and SIGHUP, and run until SIGTERM/SIGINT,
 * then stop accepting, let in-flight sends finish or release them to the outbox, and exit 0.
 */
export async function runServeCommand(
  configOption: string | undefined,
  io: CliIo,
  mode: 'serve' | 'worker' = 'serve',
): Promise<number> {
  tuneHeapForServer();
  // From the moment hookmux is built, before it listens or dispatches: a SIGTERM that comes while
  // it starts (a service manager that stops it at once, a test that saw the ready line) is kept
  // and honoured, gracefully, once it runs, instead of killing it with node's default action.
  // Earlier (loading the config, opening storage) nothing is accepted yet, and the default stands.
  let stopSignal: string | undefined;
  let stopWith: ((signal: string) => void) | undefined;
  const onSignal = (signal: string) => (): void => {
    if (stopWith) stopWith(signal);
    else stopSignal ??= signal;
  };
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');
  const file = resolveConfigPath(configOption, io.cwd);
  const secrets = { values: [] as readonly string[] };
  let hookmux: Hookmux | undefined;
  try {
    const config = await loadConfig(file, { env: io.env, cwd: io.cwd });
    const logger = createLogger({
      level: config.log.level,
      pretty: config.log.pretty,
      secrets,
      destination: io.out,
    });
    hookmux = await createHookmux({ config, logger, secrets, env: io.env, plugins: { cwd: io.cwd } });
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    if (mode === 'serve') {
      await hookmux.listen();
    } else {
      await hookmux.queue.start();
      logger.info(
        { storage: config.storage.type, sinks: hookmux.holder.current.sinks.size },
        'hookmux worker dispatching',
      );
    }
    hookmux.reloader.watch();
  } catch (error) {
    writeLine(io.err, `hookmux: cannot start ${mode === 'serve' ? 'the server' : 'the worker'} with ${file}`);
    const problems = isHookmuxProblem(error)
      ? toErrors(error).map((e) => e.describe())
      : [(error as Error).message];
    for (const problem of problems) writeLine(io.err, `  ✗ ${problem}`);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await hookmux?.close();
    return exitCodes.failure;
  }
  const running = hookmux;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      writeLine(io.err, `hookmux ${mode}: ${signal}, stopping`);
      running.close().then(
        () => resolve(exitCodes.ok),
        (error: unknown) => {
          writeLine(io.err, `hookmux ${mode}: error while stopping: ${String(error)}`);
          resolve(exitCodes.failure);
        },
      );
    };
    process.on('SIGHUP', () => void running.reloader.reload('SIGHUP'));
    stopWith = stop;
    if (stopSignal !== undefined) stop(stopSignal);
  });
}
