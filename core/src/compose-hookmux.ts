import { QueueProvider } from './contracts/queue-provider.js';
import type { HookmuxConfig } from './config/hookmux-config.js';
import { SinkDirectory } from './contracts/sink-directory.js';
import { Sink } from './contracts/sink.js';
import { Source } from './contracts/source.js';
import { HookmuxError } from './errors/hookmux-error.js';
import { Logger } from './logging/logger.js';
import {
  type LoadedPlugin,
  type LoadPluginsOptions,
  loadPlugins,
  pluginTemplateDirs,
} from './plugins/load-plugins.js';
import { buildRuntime, type PluginSet } from './runtime/build-runtime.js';
import type { Runtime } from './runtime/runtime.js';
import { RuntimeHolder } from './runtime/runtime-holder.js';
import { Container, ContainerModule } from './shared/inversify.js';

export interface ComposeHookmuxOptions {
  readonly config: HookmuxConfig;
  /** The process's logger; plugins get it with `@inject(Logger)`. */
  readonly logger: Logger;
  readonly plugins?: Partial<LoadPluginsOptions>;
}

/** Core's services and every plugin's contributions in one container, and the runtime built from them. */
export interface Composition {
  readonly container: Container;
  readonly loaded: readonly LoadedPlugin[];
  /** The plugins' sinks, sources and template folders (empty where a problem stopped them). */
  readonly plugins: PluginSet;
  /** The config holder plugins inject; holds `runtime` when there is one. */
  readonly holder: RuntimeHolder;
  /** Undefined when the config does not fit the plugins (see `errors`). */
  readonly runtime: Runtime | undefined;
  /** Every problem met (plugins, their bindings, the config against them), not only the first. */
  readonly errors: readonly HookmuxError[];
  /** What the config gets past but should not (`Runtime.warnings`), also when there are errors. */
  readonly warnings: readonly string[];
}

/**
 * The one composition of hookmux, shared by `serve`, `worker` and every CLI command: loads the
 * enabled plugins, binds core's services first (`Logger`, `RuntimeHolder`, `SinkDirectory`) so
 * that a plugin's sink or source can inject them, loads the plugins' container modules (they may
 * be async), reads their contributions and builds the runtime from the config. Problems are
 * collected, not thrown: `createHookmux` refuses to start on any, `hookmux check` lists them.
 */
export async function composeHookmux(options: ComposeHookmuxOptions): Promise<Composition> {
  const { config, logger } = options;
  const holder = new RuntimeHolder();
  const container = new Container({ defaultScope: 'Singleton' });
  const { plugins: loaded, errors } = await loadPlugins({
    extra: config.plugins,
    storageType: config.storage.type,
    ...options.plugins,
  });
  const problems = [...errors];
  await container.loadAsync(coreModule(logger, holder), ...loaded.map((p) => p.module));
  const plugins = readContributions(container, loaded, problems);
  // Without the contributions every sink and source would be "not provided": say only why.
  if (plugins === undefined) {
    const none = { sinks: [], sources: [], templateDirs: pluginTemplateDirs(loaded) };
    return { container, loaded, plugins: none, holder, runtime: undefined, errors: problems, warnings: [] };
  }
  const { runtime, errors: runtimeErrors, warnings } = buildRuntime(config, plugins);
  if (runtime) holder.swap(runtime);
  return { container, loaded, plugins, holder, runtime, errors: [...problems, ...runtimeErrors], warnings };
}

/** What core binds before any plugin module loads: the services a plugin may inject. */
function coreModule(logger: Logger, holder: RuntimeHolder): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(Logger).toConstantValue(logger);
    bind(RuntimeHolder).toConstantValue(holder);
    bind(SinkDirectory).toConstantValue(holder);
  });
}

/** Every contribution, always as an array (zero sinks is a valid state). */
export function readPlugins(container: Container, loaded: readonly LoadedPlugin[] = []): PluginSet {
  return {
    sinks: container.getAll<Sink>(Sink, { optional: true }),
    sources: container.getAll<Source>(Source, { optional: true }),
    templateDirs: pluginTemplateDirs(loaded),
    queueTypes: container.getAll<QueueProvider>(QueueProvider, { optional: true }).map((p) => p.type),
  };
}

/** `readPlugins`, with a contribution that cannot be built (it injects what no one binds) as a problem. */
function readContributions(
  container: Container,
  loaded: readonly LoadedPlugin[],
  problems: HookmuxError[],
): PluginSet | undefined {
  try {
    return readPlugins(container, loaded);
  } catch (error) {
    problems.push(
      new HookmuxError(
        'HM_ERR_PLUGIN_INJECT',
        `a plugin's sink or source cannot be built: ${(error as Error).message}`,
        {
          hint: 'a plugin may inject Logger, RuntimeHolder, SinkDirectory, or what it binds itself',
          cause: error,
        },
      ),
    );
    return undefined;
  }
}
