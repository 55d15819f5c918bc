import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

import type { HookmuxConfig } from '../config/hookmux-config.js';
import { loadConfig } from '../config/load-config.js';
import { HookmuxError, HookmuxErrors } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { buildRuntime, type PluginSet } from './build-runtime.js';
import type { RuntimeHolder } from './runtime-holder.js';

export interface ConfigReloaderDeps {
  readonly holder: RuntimeHolder;
  readonly plugins: PluginSet;
  readonly logger: Logger;
  readonly env: Record<string, string | undefined>;
  readonly secrets?: { values: readonly string[] };
  /** Wait this long after the last file change before reloading (editors write in several steps). */
  readonly debounceMs?: number;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly errors: readonly HookmuxError[];
}

/**
 * Reloads config and templates on SIGHUP or on file change. The new config is loaded, checked and
 * compiled in full before it replaces the old one; a broken one is refused with its reasons logged
 * and the old one keeps running. Queued deliveries hold rendered messages and name their sink, so
 * a reload neither loses nor re-renders them: they go to the sink's settings in force when sent.
 */
export class ConfigReloader {
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReloadResult> | undefined;

  constructor(private readonly deps: ConfigReloaderDeps) {}

  async reload(reason: string): Promise<ReloadResult> {
    // One reload at a time; a change during a reload triggers another afterwards via the watcher.
    while (this.#running) await this.#running;
    this.#running = this.#reload(reason);
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /** Watches the config file and the user and route template folders; returns nothing, stop with `close()`. */
  watch(): void {
    this.close();
    const config = this.deps.holder.current.config;
    const onChange = (): void => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.reload('file change'), this.deps.debounceMs ?? 300);
    };
    // The folder, not the file: editors replace files by renaming, which ends a watch on the file.
    const configName = basename(config.file);
    this.#add(dirname(config.file), false, (name) => name === configName && onChange());
    const templateDirs = new Set([config.templates.dir, ...config.routes.map((r) => r.template)]);
    for (const dir of templateDirs)
      if (dir) this.#add(dir, true, (name) => name.endsWith('.hbs') && onChange());
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers = [];
  }

  #add(dir: string, recursive: boolean, onName: (name: string) => void): void {
    try {
      const watcher = watch(dir, { recursive, persistent: false }, (_event, name) => {
        if (name) onName(name.toString());
      });
      watcher.on('error', (error) => this.deps.logger.warn({ err: error, dir }, 'stopped watching a folder'));
      this.#watchers.push(watcher);
    } catch (error) {
      this.deps.logger.warn({ err: error, dir }, 'cannot watch a folder for changes; SIGHUP still reloads');
    }
  }

  async #reload(reason: string): Promise<ReloadResult> {
    const { holder, plugins, logger } = this.deps;
    const old = holder.current.config;
    let config: HookmuxConfig;
    try {
      config = await loadConfig(old.file, { env: this.deps.env });
    } catch (error) {
      return this.#refuse(reason, error);
    }
    const { runtime, errors } = buildRuntime(config, plugins);
    if (!runtime) return this.#refuse(reason, new HookmuxErrors(errors));
    for (const what of needsRestart(old, config)) {
      logger.warn(
        { key: what },
        `config reload: ${what} changes only on restart; the old value stays in force`,
      );
    }
    if (this.deps.secrets) this.deps.secrets.values = runtime.secrets;
    holder.swap(runtime);
    for (const warning of runtime.warnings) logger.warn(warning);
    logger.info(
      { reason, sources: runtime.sources.size, sinks: runtime.sinks.size, routes: runtime.routes.length },
      'config reloaded',
    );
    this.watch();
    return { ok: true, errors: [] };
  }

  #refuse(reason: string, error: unknown): ReloadResult {
    const errors =
      error instanceof HookmuxErrors ? error.errors : HookmuxError.is(error) ? [error] : undefined;
    if (!errors) throw error;
    this.deps.logger.error(
      { reason, problems: errors.map((e) => e.describe()) },
      'config reload refused; the previous config keeps running',
    );
    return { ok: false, errors };
  }
}

/** Settings read once at start-up. */
function needsRestart(old: HookmuxConfig, next: HookmuxConfig): string[] {
  const changed: string[] = [];
  if (old.server.host !== next.server.host || old.server.port !== next.server.port)
    changed.push('server.host/port');
  if (old.server.trustProxy !== next.server.trustProxy) changed.push('server.trustProxy');
  if (JSON.stringify(old.storage) !== JSON.stringify(next.storage)) changed.push('storage');
  if (JSON.stringify(old.plugins) !== JSON.stringify(next.plugins)) changed.push('plugins');
  if (JSON.stringify(old.delivery) !== JSON.stringify(next.delivery)) changed.push('delivery');
  if (old.log.level !== next.log.level) changed.push('log.level');
  return changed;
}
