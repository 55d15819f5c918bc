import type { Sink } from '../contracts/sink.js';
import { builtinPlugins } from '../plugins/load-plugins.js';
import type { Source } from '../contracts/source.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { coerceInterpolated } from './coerce-interpolated.js';
import { compileSchema } from './compile-schema.js';
import { describeSchemaErrors } from './describe-schema-errors.js';
import { didYouMean } from './did-you-mean.js';
import type { HookmuxConfig } from './hookmux-config.js';
import type { JsonSchema } from './json-schema.js';

/** The plugins whose schemas check their sections of the config. */
export interface ConfigPlugins {
  readonly sinks: readonly Sink[];
  readonly sources: readonly Source[];
  /** Storage types of the loaded queue providers; absent: `storage.type` is not checked here. */
  readonly queueTypes?: readonly string[];
}

/** Storage types core serves itself. */
export const coreStorageTypes = ['sqlite', 'memory'] as const;
const builtinQueueTypes = builtinPlugins
  .filter((name) => name.startsWith('@hookmux/queue-'))
  .map((name) => name.slice('@hookmux/queue-'.length));

/**
 * Keys of a `sinks.<name>` section that core owns and has already checked (`timeoutMs` is what
 * the loader derives from `timeout`); a plugin's schema sees the section without them, so it
 * need not repeat them and may still say `additionalProperties: false`.
 */
const coreSinkKeys = new Set(['rateLimit', 'merge', 'timeout', 'timeoutMs', 'batch', 'batchMs']);
/** `sources.<id>.allow` is enforced by the HTTP layer for every source. */
const coreSourceKeys = new Set(['allow']);

/**
 * Checks each sink and source section against its plugin's `configSchema`, once the plugins
 * are loaded, and fills the schema's defaults into the sections. Returns every problem: a sink
 * type or source no plugin provides, and each schema error at its key path
 * (`sinks.team-a.webhook`).
 */
export function validatePluginSections(config: HookmuxConfig, plugins: ConfigPlugins): HookmuxError[] {
  const errors: HookmuxError[] = [];
  if (plugins.queueTypes !== undefined) {
    const types = [...new Set([...coreStorageTypes, ...plugins.queueTypes])];
    if (!types.includes(config.storage.type)) {
      // Built-in queue plugins for other types are not imported (see loadPlugins), but are worth suggesting.
      const guess = didYouMean(config.storage.type, [...types, ...builtinQueueTypes]);
      errors.push(
        new HookmuxError(
          'HM_ERR_PLUGIN_NO_STORAGE_TYPE',
          `no queue plugin provides storage type "${config.storage.type}"`,
          {
            at: 'storage.type',
            hint: `${guess === undefined ? '' : `did you mean "${guess}"? `}loaded types: ${types.join(', ')}; a queue plugin is installed with npm (@hookmux/queue-${config.storage.type}) and named under plugins:`,
          },
        ),
      );
    }
  }
  const sinkTypes = new Map(plugins.sinks.map((sink) => [sink.type, sink]));
  for (const [name, section] of Object.entries(config.sinks)) {
    const sink = sinkTypes.get(section.type);
    if (sink === undefined) {
      errors.push(
        new HookmuxError('HM_ERR_PLUGIN_NO_SINK_TYPE', `no plugin provides sink type "${section.type}"`, {
          at: `sinks.${name}.type`,
          hint: `known types: ${listOrNone([...sinkTypes.keys()])}; a third-party sink is installed with npm and named under plugins:`,
        }),
      );
      continue;
    }
    errors.push(
      ...checkSection(
        section,
        sink.configSchema,
        coreSinkKeys,
        ['sinks', name],
        `sink plugin "${sink.type}"`,
      ),
    );
  }

  const sourceIds = new Map(plugins.sources.map((source) => [source.id, source]));
  for (const [id, section] of Object.entries(config.sources)) {
    const source = sourceIds.get(id);
    if (source === undefined) {
      errors.push(
        new HookmuxError('HM_ERR_PLUGIN_NO_SOURCE', `no plugin provides source "${id}"`, {
          at: `sources.${id}`,
          hint: `known sources: ${listOrNone([...sourceIds.keys()])}; a third-party source is installed with npm and named under plugins:`,
        }),
      );
      continue;
    }
    errors.push(
      ...checkSection(section, source.configSchema, coreSourceKeys, ['sources', id], `source plugin "${id}"`),
    );
  }
  return errors;
}

function checkSection(
  section: Readonly<Record<string, unknown>>,
  schema: JsonSchema,
  coreKeys: ReadonlySet<string>,
  path: readonly string[],
  owner: string,
): HookmuxError[] {
  let validate;
  try {
    validate = compileSchema(schema);
  } catch (cause) {
    return [
      new HookmuxError('HM_ERR_CFG_INVALID', `the ${owner} has a config schema that does not compile`, {
        at: path.join('.'),
        hint: 'this is a bug in the plugin; report it to its authors',
        cause,
      }),
    ];
  }
  // Coerced in place: `${VAR}`-only scalars are known by the section object that holds them.
  const target = section as Record<string, unknown>;
  coerceInterpolated(target, schema);
  // The plugin validates a copy without core's keys; defaults it fills in are copied back.
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) if (!coreKeys.has(key)) own[key] = value;
  const copied = new Set(Object.keys(own));
  const valid = validate(own);
  for (const [key, value] of Object.entries(own)) if (!copied.has(key)) target[key] = value;
  return valid ? [] : describeSchemaErrors(validate.errors ?? [], own, path);
}

function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? '(none loaded)' : items.join(', ');
}
