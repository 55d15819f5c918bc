import { loadConfig, resolveConfigPath } from '../config/load-config.js';
import type { HookmuxConfig } from '../config/hookmux-config.js';
import { composeHookmux } from '../compose-hookmux.js';
import type { Container } from '../shared/inversify.js';
import { HookmuxError, HookmuxErrors } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { MemoryLogger } from '../logging/memory-logger.js';
import type { PluginSet } from '../runtime/build-runtime.js';
import type { RuntimeHolder } from '../runtime/runtime-holder.js';
import type { Runtime } from '../runtime/runtime.js';
import type { CliIo } from './cli-io.js';

export interface LoadedForCli {
  readonly file: string;
  readonly config: HookmuxConfig | undefined;
  readonly plugins: PluginSet | undefined;
  readonly runtime: Runtime | undefined;
  /** The config holder plugins got (holds `runtime` when there is one). */
  readonly holder: RuntimeHolder | undefined;
  /** The container with core's services and the plugins loaded (queue providers for `hookmux deliveries`). */
  readonly container: Container | undefined;
  readonly errors: readonly HookmuxError[];
  /** Shown by `check` beside the errors, and alone when there are none. */
  readonly warnings: readonly string[];
}

/**
 * Config, then the same composition `serve` and `worker` use (`composeHookmux`), collecting every
 * problem on the way instead of stopping at the first. Plugins log to `logger` (default: kept in
 * memory, out of the command's output). Plugins are searched from the command's working folder.
 */
export async function loadForCli(
  configOption: string | undefined,
  io: CliIo,
  logger: Logger = new MemoryLogger(),
): Promise<LoadedForCli> {
  const file = resolveConfigPath(configOption, io.cwd);
  let config: HookmuxConfig;
  try {
    config = await loadConfig(file, { env: io.env, cwd: io.cwd });
  } catch (error) {
    return {
      file,
      config: undefined,
      plugins: undefined,
      runtime: undefined,
      holder: undefined,
      container: undefined,
      errors: toErrors(error),
      warnings: [],
    };
  }
  const { container, plugins, runtime, holder, errors, warnings } = await composeHookmux({
    config,
    logger,
    plugins: { cwd: io.cwd },
  });
  return { file, config, plugins, runtime, holder, container, errors, warnings };
}

export function toErrors(error: unknown): HookmuxError[] {
  if (error instanceof HookmuxErrors) return [...error.errors];
  if (HookmuxError.is(error)) return [error];
  throw error;
}
