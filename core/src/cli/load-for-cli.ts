import { loadConfig, resolveConfigPath } from '../config/load-config.js';
import type { HookmuxConfig } from '../config/hookmux-config.js';
import { Container } from '../shared/inversify.js';
import { HookmuxError, HookmuxErrors } from '../errors/hookmux-error.js';
import { readPlugins } from '../create-hookmux.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { buildRuntime, type PluginSet } from '../runtime/build-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import type { CliIo } from './cli-io.js';

export interface LoadedForCli {
  readonly file: string;
  readonly config: HookmuxConfig | undefined;
  readonly plugins: PluginSet | undefined;
  readonly runtime: Runtime | undefined;
  /** The container with the plugins loaded (queue providers for `hookmux deliveries`). */
  readonly container: Container | undefined;
  readonly errors: readonly HookmuxError[];
}

/** Config, plugins and runtime, collecting every problem on the way instead of stopping at the first. */
export async function loadForCli(configOption: string | undefined, io: CliIo): Promise<LoadedForCli> {
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
      container: undefined,
      errors: toErrors(error),
    };
  }
  const { plugins: loaded, errors } = await loadPlugins({
    extra: config.plugins,
    storageType: config.storage.type,
  });
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...loaded.map((p) => p.module));
  const plugins = readPlugins(container, loaded);
  const { runtime, errors: runtimeErrors } = buildRuntime(config, plugins);
  return { file, config, plugins, runtime, container, errors: [...errors, ...runtimeErrors] };
}

export function toErrors(error: unknown): HookmuxError[] {
  if (error instanceof HookmuxErrors) return [...error.errors];
  if (HookmuxError.is(error)) return [error];
  throw error;
}
