import { checkRoutes } from '../config/check-routes.js';
import { collectSecrets } from '../config/collect-secrets.js';
import type { HookmuxConfig } from '../config/hookmux-config.js';
import { parseRateLimit } from '../config/parse-units.js';
import { validatePluginSections } from '../config/validate-plugin-sections.js';
import type { ResolvedSink } from '../contracts/sink-directory.js';
import type { RateLimit, Sink } from '../contracts/sink.js';
import type { Source } from '../contracts/source.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { compileRoute } from '../routing/compile-routes.js';
import { builtinTemplatesDir, MessageRenderer } from '../templates/message-renderer.js';
import { TemplateSet } from '../templates/template-set.js';
import type { ActiveSource, Runtime } from './runtime.js';

export interface PluginSet {
  readonly sinks: readonly Sink[];
  readonly sources: readonly Source[];
  /** Template folders shipped by plugins: after the user's, before the built-ins. */
  readonly templateDirs?: readonly string[];
  /** `storage.type`s the loaded queue providers serve (besides core's sqlite and memory). */
  readonly queueTypes?: readonly string[];
}

/** Checks a config against the loaded plugins and compiles it; every problem at once. */
export function buildRuntime(
  config: HookmuxConfig,
  plugins: PluginSet,
  options: { builtinTemplatesDir?: string } = {},
): { runtime: Runtime | undefined; errors: HookmuxError[]; warnings: string[] } {
  const errors = validatePluginSections(config, plugins);
  const warnings: string[] = [];

  const sinks = new Map<string, ResolvedSink>();
  for (const [name, settings] of Object.entries(config.sinks)) {
    const sink = plugins.sinks.find((s) => s.type === settings.type);
    if (!sink) continue; // reported by validatePluginSections
    const target = { name, type: sink.type, settings };
    try {
      sinks.set(name, {
        sink,
        target,
        rateLimits: resolveRateLimits(sink.rateLimits, settings.rateLimit),
        robotKey: sink.robotKey(target),
        merge: settings.merge !== false,
        ...(settings.batchMs === undefined ? {} : { batchMs: settings.batchMs }),
        timeoutMs: settings.timeoutMs ?? config.delivery.timeoutMs,
      });
      for (const problem of sink.checkTarget?.(target, config.people) ?? [])
        warnings.push(`sinks.${name}: ${problem}`);
    } catch (error) {
      errors.push(
        HookmuxError.is(error)
          ? error
          : new HookmuxError('HM_ERR_CFG_INVALID', (error as Error).message, { at: `sinks.${name}` }),
      );
    }
  }

  const sources = new Map<string, ActiveSource>();
  for (const [id, settings] of Object.entries(config.sources)) {
    const source = plugins.sources.find((s) => s.id === id);
    if (!source) continue; // reported by validatePluginSections
    sources.set(id, { source, settings });
    for (const warning of source.checkSettings?.(settings) ?? []) warnings.push(`sources.${id}: ${warning}`);
  }

  const routeCheck = checkRoutes(config, plugins.sources);
  errors.push(...routeCheck.errors);
  warnings.push(...routeCheck.warnings);

  const builtin = options.builtinTemplatesDir ?? builtinTemplatesDir;
  const templateDirs = [
    ...config.routes.map((r) => r.template).filter((d): d is string => d !== undefined),
    ...(config.templates.dir ? [config.templates.dir] : []),
    ...(plugins.templateDirs ?? []),
    builtin,
  ];
  const { set, errors: templateErrors } = TemplateSet.load(templateDirs);
  errors.push(...templateErrors);

  if (errors.length > 0) return { runtime: undefined, errors, warnings };
  const renderer = new MessageRenderer({
    templates: set,
    userDir: config.templates.dir,
    pluginDirs: plugins.templateDirs ?? [],
    builtinDir: builtin,
    timeZone: config.templates.timeZone,
    people: config.people,
  });
  return {
    runtime: {
      config,
      routes: config.routes.map(compileRoute),
      renderer,
      sinks,
      sources,
      secrets: collectSecrets(config, plugins),
      warnings,
    },
    errors,
    warnings,
  };
}

/** A sink's `rateLimit:` replaces the plugin's main limit; the plugin's other limits (e.g. Feishu's 5/s) stay. */
function resolveRateLimits(defaults: readonly RateLimit[], configured: string | undefined): RateLimit[] {
  if (configured === undefined) return [...defaults];
  return [parseRateLimit(configured), ...defaults.slice(1)];
}
