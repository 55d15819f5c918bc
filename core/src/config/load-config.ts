import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseDocument, type YAMLError } from 'yaml';

import { HookmuxError, HookmuxErrors } from '../errors/hookmux-error.js';
import { coerceInterpolated } from './coerce-interpolated.js';
import { compileSchema } from './compile-schema.js';
import { describeSchemaErrors } from './describe-schema-errors.js';
import { formatKeyPath, isPlainRecord, type KeySegment } from './format-key-path.js';
import type {
  DeliveryConfig,
  HookmuxConfig,
  RetentionConfig,
  RouteConfig,
  ServerConfig,
  SinkConfig,
  StorageConfig,
  TemplatesConfig,
} from './hookmux-config.js';
import { interpolateEnv, type Env } from './interpolate-env.js';
import type { JsonSchema } from './json-schema.js';
import { parseByteSize, parseDuration, parseRateLimit } from './parse-units.js';

export interface ParseConfigOptions {
  /** Variables for `${VAR}`; default `process.env`. */
  readonly env?: Env;
  /**
   * The folder the bundled example config's relative paths resolve against (it lives inside the
   * installed package, where no data belongs); default `process.cwd()`. Other files resolve
   * against their own folder.
   */
  readonly cwd?: string;
}

export interface ParsedConfig {
  /** Undefined when there is any error. */
  readonly config: HookmuxConfig | undefined;
  readonly errors: HookmuxError[];
}

/** core/src/config or core/lib/config → core's package folder, which ships `config/`. */
const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const configSchemaPath = join(coreDir, 'config', 'hookmux.schema.json');
export const exampleConfigPath = join(coreDir, 'config', 'hookmux.example.yaml');

/** Configs are hand-written; anything this big is a mistake or an attack, not a config. */
const maxConfigBytes = 4 * 1024 * 1024;
const maxDepth = 32;
/** Keys that reach `Object.prototype` when later code indexes a plain object by them. */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);
const filterKeys = ['source', 'repo', 'event', 'action', 'branch', 'tag', 'actor', 'robot'] as const;

/**
 * Parses and checks a config text in one pass, collecting every problem: YAML syntax (then it
 * stops: nothing else can be trusted), environment variables, the schema, and cross-references
 * between sections. Plugin sections are checked later by `validatePluginSections`, once the
 * plugins are loaded.
 */
export function parseConfig(text: string, file: string, options: ParseConfigOptions = {}): ParsedConfig {
  const path = resolve(file);
  const env = options.env ?? process.env;
  if (Buffer.byteLength(text) > maxConfigBytes) {
    return fail(
      new HookmuxError('HM_ERR_CFG_INVALID', 'configuration file is larger than 4 MB', { at: path }),
    );
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) return { config: undefined, errors: describeYamlErrors(doc.errors, text, path) };
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return fail(
      new HookmuxError('HM_ERR_CFG_YAML', 'configuration uses too many YAML aliases', { at: path, cause }),
    );
  }
  tree ??= {};
  if (!isPlainRecord(tree)) {
    return fail(
      new HookmuxError('HM_ERR_CFG_INVALID', 'must be a map of settings (server:, sinks:, routes:, ...)', {
        at: path,
      }),
    );
  }

  const shapeErrors = checkShape(tree, [], 0);
  if (shapeErrors.length > 0) return { config: undefined, errors: shapeErrors };

  const errors = interpolateEnv(tree, env);
  // A value whose variable is missing was emptied; its schema error would only repeat that.
  const unset = new Set(errors.map((e) => e.at));
  const schema = readConfigSchema();
  coerceInterpolated(tree, schema);
  const validate = compileSchema(schema, 'strict');
  const valid = validate(tree);
  const schemaErrors = describeSchemaErrors(validate.errors ?? [], tree).filter((e) => !unset.has(e.at));
  // A cross-check of a value the schema already refused would only say it again.
  const refused = new Set(schemaErrors.map((e) => e.at));
  errors.push(...schemaErrors, ...crossCheck(tree).filter((e) => !refused.has(e.at)));
  if (!valid || errors.length > 0) return { config: undefined, errors };

  const folder = path === exampleConfigPath ? resolve(options.cwd ?? process.cwd()) : dirname(path);
  const config = buildConfig(tree as unknown as RawConfig, path, folder, errors);
  return errors.length > 0 ? { config: undefined, errors } : { config, errors: [] };
}

/**
 * Reads and parses a config file. Throws `HM_ERR_CFG_NOT_FOUND` for a missing file and
 * `HookmuxErrors` with every problem for a broken one.
 */
export async function loadConfig(file: string, options: ParseConfigOptions = {}): Promise<HookmuxConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new HookmuxError('HM_ERR_CFG_NOT_FOUND', `configuration file not found: ${path}`, {
        at: path,
        hint: 'hookmux init writes a commented example there; or pass another file with -c FILE or HOOKMUX_CONFIG',
        cause,
      });
    }
    throw new HookmuxErrors([
      new HookmuxError(
        'HM_ERR_CFG_INVALID',
        `cannot read the configuration file (${code ?? 'unknown error'})`,
        { at: path, cause },
      ),
    ]);
  }
  const { config, errors } = parseConfig(text, path, options);
  if (config === undefined) throw new HookmuxErrors(errors);
  return config;
}

/** `-c FILE` if given, else `./hookmux.yaml` if it exists, else the bundled example. */
export function resolveConfigPath(explicit: string | undefined, cwd: string = process.cwd()): string {
  if (explicit !== undefined && explicit !== '') return resolve(cwd, explicit);
  const local = resolve(cwd, 'hookmux.yaml');
  return existsSync(local) ? local : exampleConfigPath;
}

let configSchema: JsonSchema | undefined;

function readConfigSchema(): JsonSchema {
  configSchema ??= JSON.parse(readFileSync(configSchemaPath, 'utf8')) as JsonSchema;
  return configSchema;
}

function fail(error: HookmuxError): ParsedConfig {
  return { config: undefined, errors: [error] };
}

/**
 * One error per line, at most five: after a syntax error the YAML parser reports every later
 * token of the line (and often of the file) too, and only the first of those helps.
 */
function describeYamlErrors(errors: readonly YAMLError[], text: string, file: string): HookmuxError[] {
  const lines = text.split(/\r?\n/);
  const seen = new Set<number>();
  const out: HookmuxError[] = [];
  for (const error of errors) {
    const position = error.linePos?.[0];
    const line = position?.line ?? 0;
    if (seen.has(line) || out.length >= 5) continue;
    seen.add(line);
    const at = position === undefined ? file : `${file}:${position.line}:${position.col}`;
    // prettyErrors appends the offending source line; it may hold a secret, so keep only the words.
    const message = (error.message.split(/ at line \d+/)[0] ?? error.message).trim();
    // `{ token: ${VAR} }` is the classic: in flow style the `{` of `${` opens a new map.
    const source = lines[line - 1] ?? '';
    const hint = /[{[].*\$\{/.test(source)
      ? 'inside { } or [ ], quote values that use ${...}: token: "${VAR}"'
      : 'fix the YAML syntax at this line';
    out.push(new HookmuxError('HM_ERR_CFG_YAML', message, { at, hint }));
  }
  return out;
}

function checkShape(node: unknown, path: KeySegment[], depth: number): HookmuxError[] {
  if (depth > maxDepth) {
    return [
      new HookmuxError('HM_ERR_CFG_INVALID', `is nested more than ${maxDepth} levels deep`, {
        at: formatKeyPath(path),
      }),
    ];
  }
  if (Array.isArray(node))
    return node.flatMap((item, index) => checkShape(item, [...path, index], depth + 1));
  if (!isPlainRecord(node)) return [];
  return Object.keys(node).flatMap((key) =>
    reservedKeys.has(key)
      ? [
          new HookmuxError('HM_ERR_CFG_INVALID', `"${key}" is not allowed as a key`, {
            at: formatKeyPath([...path, key]),
            hint: 'rename it; this name is reserved in JavaScript objects',
          }),
        ]
      : checkShape(node[key], [...path, key], depth + 1),
  );
}

/** Checks that need more than one section, or more than JSON Schema says; defensive about shape. */
function crossCheck(tree: Record<string, unknown>): HookmuxError[] {
  const errors: HookmuxError[] = [];
  const sinks = isPlainRecord(tree['sinks']) ? tree['sinks'] : {};
  const sinkNames = Object.keys(sinks);
  const routes = Array.isArray(tree['routes']) ? tree['routes'] : [];
  const names = new Map<string, number>();
  routes.forEach((route: unknown, index) => {
    if (!isPlainRecord(route)) return;
    const name = typeof route['name'] === 'string' ? route['name'] : `routes[${index}]`;
    const first = names.get(name);
    if (first === undefined) names.set(name, index);
    else {
      errors.push(
        new HookmuxError(
          'HM_ERR_CFG_INVALID',
          `duplicate route name "${name}" (also used by routes[${first}])`,
          {
            at: formatKeyPath(['routes', index, 'name']),
            hint: 'give each route its own name',
          },
        ),
      );
    }
    const to = route['to'];
    const targets: Array<[unknown, KeySegment[]]> = Array.isArray(to)
      ? to.map((t, i) => [t, ['routes', index, 'to', i]])
      : [[to, ['routes', index, 'to']]];
    for (const [target, at] of targets) {
      if (typeof target !== 'string' || target === '' || Object.hasOwn(sinks, target)) continue;
      errors.push(
        new HookmuxError('HM_ERR_CFG_INVALID', `no sink named "${target}"`, {
          at: formatKeyPath(at),
          hint: sinkNames.length === 0 ? 'define it under sinks:' : `known sinks: ${sinkNames.join(', ')}`,
        }),
      );
    }
  });

  // Units that fit the schema's pattern can still overflow (`99999999999999999999d`).
  const server = tree['server'];
  if (isPlainRecord(server))
    errors.push(...checkUnit(server['bodyLimit'], parseByteSize, ['server', 'bodyLimit']));
  const delivery = tree['delivery'];
  for (const key of ['maxAge', 'backoff', 'maxBackoff', 'timeout']) {
    if (isPlainRecord(delivery)) errors.push(...checkUnit(delivery[key], parseDuration, ['delivery', key]));
  }
  for (const [name, sink] of Object.entries(sinks)) {
    if (!isPlainRecord(sink)) continue;
    errors.push(...checkUnit(sink['timeout'], parseDuration, ['sinks', name, 'timeout']));
    if (typeof sink['rateLimit'] === 'string') {
      errors.push(
        ...attempt(() => parseRateLimit(sink['rateLimit'] as string), ['sinks', name, 'rateLimit']),
      );
    }
  }

  const sources = isPlainRecord(tree['sources']) ? tree['sources'] : {};
  for (const [id, source] of Object.entries(sources)) {
    const allow = isPlainRecord(source) ? source['allow'] : undefined;
    if (!Array.isArray(allow)) continue;
    allow.forEach((entry: unknown, i) => {
      if (typeof entry === 'string' && !isAddressOrRange(entry)) {
        errors.push(
          new HookmuxError('HM_ERR_CFG_INVALID', 'must be an IP address or a CIDR range like 10.0.0.0/8', {
            at: formatKeyPath(['sources', id, 'allow', i]),
          }),
        );
      }
    });
  }

  const templates = tree['templates'];
  const timeZone = isPlainRecord(templates) ? templates['timeZone'] : undefined;
  if (typeof timeZone === 'string' && !isTimeZone(timeZone)) {
    errors.push(
      new HookmuxError('HM_ERR_CFG_INVALID', 'must be an IANA time zone like Asia/Shanghai or UTC', {
        at: 'templates.timeZone',
      }),
    );
  }
  return errors;
}

function checkUnit(
  value: unknown,
  parse: (input: string | number) => number,
  path: KeySegment[],
): HookmuxError[] {
  return typeof value === 'string' || typeof value === 'number' ? attempt(() => parse(value), path) : [];
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, extra] = entry.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  return prefix >= 0 && prefix <= (family === 4 ? 32 : 128);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function attempt(run: () => unknown, path: KeySegment[]): HookmuxError[] {
  try {
    run();
    return [];
  } catch (error) {
    if (!HookmuxError.is(error)) throw error;
    return [new HookmuxError(error.code, error.message, { at: formatKeyPath(path) })];
  }
}

/** The validated YAML tree, defaults filled in by the schema. */
interface RawConfig {
  server: { host: string; port: number; bodyLimit: string | number; trustProxy: boolean };
  storage: {
    type: string;
    path?: string;
    url?: string;
    prefix?: string;
    retention?: RawRetention | { sent?: RawRetention; dead?: RawRetention };
  };
  templates: { dir?: string; timeZone: string; renderTimeout: string | number };
  admin: { token?: string };
  log: { level: string; pretty?: boolean };
  delivery: {
    maxAttempts: number;
    maxAge: string | number;
    backoff: string | number;
    maxBackoff: string | number;
    timeout: string | number;
  };
  plugins: string[];
  sources: Record<string, Record<string, unknown>>;
  sinks: Record<
    string,
    Record<string, unknown> & { type: string; timeout?: string | number; batch?: string | number }
  >;
  people: Array<Record<string, string>>;
  routes: Array<{
    name?: string;
    when: Record<string, unknown>;
    to: string | string[];
    template?: string;
    batch?: string | number;
  }>;
}

/** A duration, or `never`. */
type RawRetention = string | number;

/** Default: sent rows 30 days, dead letters until purged by hand. */
const defaultSentRetentionMs = 30 * 24 * 60 * 60 * 1000;

function readRetention(
  raw: RawConfig['storage']['retention'],
  convert: (run: () => number, path: KeySegment[]) => number,
): RetentionConfig {
  const one = (
    value: RawRetention | undefined,
    fallback: number | undefined,
    key: KeySegment[],
  ): number | undefined =>
    value === undefined ? fallback : value === 'never' ? undefined : convert(() => parseDuration(value), key);
  const sentMs =
    raw !== undefined && typeof raw === 'object'
      ? one(raw.sent, defaultSentRetentionMs, ['storage', 'retention', 'sent'])
      : one(raw, defaultSentRetentionMs, ['storage', 'retention']);
  const deadMs =
    raw !== undefined && typeof raw === 'object'
      ? one(raw.dead, undefined, ['storage', 'retention', 'dead'])
      : undefined;
  return { ...(sentMs === undefined ? {} : { sentMs }), ...(deadMs === undefined ? {} : { deadMs }) };
}

function buildConfig(raw: RawConfig, file: string, folder: string, errors: HookmuxError[]): HookmuxConfig {
  const convert = (run: () => number, path: KeySegment[]): number => {
    let value = 0;
    errors.push(...attempt(() => (value = run()), path));
    return value;
  };

  const server: ServerConfig = {
    host: raw.server.host,
    port: raw.server.port,
    bodyLimit: convert(() => parseByteSize(raw.server.bodyLimit), ['server', 'bodyLimit']),
    trustProxy: raw.server.trustProxy,
  };

  const retention = readRetention(raw.storage.retention, convert);
  const where: StorageConfig =
    raw.storage.type === 'sqlite'
      ? { type: 'sqlite', path: resolve(folder, raw.storage.path ?? './data/hookmux.db') }
      : raw.storage.type === 'memory'
        ? { type: 'memory' }
        : raw.storage.type === 'redis'
          ? {
              type: 'redis',
              url: raw.storage.url ?? '',
              ...(raw.storage.prefix === undefined ? {} : { prefix: raw.storage.prefix }),
            }
          : // Another queue plugin's type (checked against the loaded providers): its keys as given.
            ({ ...raw.storage } as unknown as StorageConfig);
  const storage: StorageConfig = { ...where, retention };

  const templates: TemplatesConfig = {
    ...(raw.templates.dir === undefined ? {} : { dir: resolve(folder, raw.templates.dir) }),
    timeZone: raw.templates.timeZone,
    renderTimeoutMs: convert(
      () => parseDuration(raw.templates.renderTimeout),
      ['templates', 'renderTimeout'],
    ),
  };

  const delivery: DeliveryConfig = {
    maxAttempts: raw.delivery.maxAttempts,
    maxAgeMs: convert(() => parseDuration(raw.delivery.maxAge), ['delivery', 'maxAge']),
    backoffMs: convert(() => parseDuration(raw.delivery.backoff), ['delivery', 'backoff']),
    maxBackoffMs: convert(() => parseDuration(raw.delivery.maxBackoff), ['delivery', 'maxBackoff']),
    timeoutMs: convert(() => parseDuration(raw.delivery.timeout), ['delivery', 'timeout']),
  };

  // Sections keep their identity: validatePluginSections fills plugin defaults into them, and
  // knows which of their scalars came from a whole `${VAR}`.
  const sinks: Record<string, SinkConfig> = {};
  for (const [name, section] of Object.entries(raw.sinks)) {
    if (section.timeout !== undefined) {
      const timeout = section.timeout;
      section['timeoutMs'] = convert(() => parseDuration(timeout), ['sinks', name, 'timeout']);
    }
    if (section.batch !== undefined) {
      const batch = section.batch;
      section['batchMs'] = convert(() => parseDuration(batch), ['sinks', name, 'batch']);
    }
    sinks[name] = section;
  }

  const routes: RouteConfig[] = raw.routes.map((route, index) => {
    const when: Record<string, unknown> = {};
    for (const key of filterKeys) {
      const value = route.when[key];
      if (value !== undefined) when[key] = typeof value === 'string' ? [value] : value;
    }
    if (route.when['ping'] !== undefined) when['ping'] = route.when['ping'];
    return {
      name: route.name ?? `routes[${index}]`,
      when: when,
      to: typeof route.to === 'string' ? [route.to] : route.to,
      ...(route.template === undefined ? {} : { template: resolve(folder, route.template) }),
      ...(route.batch === undefined
        ? {}
        : { batchMs: convert(() => parseDuration(route.batch ?? 0), ['routes', index, 'batch']) }),
    };
  });

  const token = raw.admin.token;
  return {
    file,
    server,
    storage,
    templates,
    // `token: ${HOOKMUX_ADMIN_TOKEN:-}` is how a config says "admin off unless the variable is set".
    admin: token === undefined || token === '' ? {} : { token },
    log: { level: raw.log.level, ...(raw.log.pretty === undefined ? {} : { pretty: raw.log.pretty }) },
    delivery,
    plugins: raw.plugins,
    sources: raw.sources,
    sinks,
    people: raw.people,
    routes,
  };
}
