import type { Person } from '../contracts/sink.js';

/**
 * The validated config (`hookmux.yaml`), with defaults filled in. The names are the contract in
 * DESIGN.md §5; `config/hookmux.schema.json` is the schema that checks them.
 */
export interface HookmuxConfig {
  /** Absolute path of the file it came from (relative paths in it resolve against its folder). */
  readonly file: string;
  readonly server: ServerConfig;
  readonly storage: StorageConfig;
  readonly templates: TemplatesConfig;
  readonly admin: { readonly token?: string };
  readonly log: { readonly level: string; readonly pretty?: boolean };
  readonly delivery: DeliveryConfig;
  /** Extra plugin packages to load, by npm package name. */
  readonly plugins: readonly string[];
  /** `sources.<id>`: each source plugin's own section. */
  readonly sources: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly sinks: Readonly<Record<string, SinkConfig>>;
  readonly people: readonly Person[];
  readonly routes: readonly RouteConfig[];
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Bytes (the YAML may say `5mb`). */
  readonly bodyLimit: number;
  readonly trustProxy: boolean;
}

export type StorageConfig = (
  | { readonly type: 'sqlite'; readonly path: string }
  | { readonly type: 'memory' }
  | { readonly type: 'redis'; readonly url: string; readonly prefix?: string }
) & {
  /** How long finished rows are kept (core purges older ones); absent: kept until purged by hand. */
  readonly retention?: RetentionConfig;
};

export interface RetentionConfig {
  /** Sent rows older than this (ms since their last update) are purged; absent: never. */
  readonly sentMs?: number;
  /** Dead letters older than this are purged; absent: never (the default). */
  readonly deadMs?: number;
}

export interface TemplatesConfig {
  /** User template folder, searched before the built-ins. */
  readonly dir?: string;
  /** IANA time zone for the `date` helper. */
  readonly timeZone: string;
  /** A render taking longer is cut off (HM_ERR_TPL_TIMEOUT), ms; default 5000. */
  readonly renderTimeoutMs?: number;
}

export interface DeliveryConfig {
  readonly maxAttempts: number;
  /** Give up (dead letter) after this long, in ms. */
  readonly maxAgeMs: number;
  /** First retry delay in ms; doubles each attempt, with jitter. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** HTTP timeout of one send, in ms (a sink's `timeout:` overrides it). */
  readonly timeoutMs: number;
}

/** `sinks.<name>`: `type` picks the plugin; the other keys are the plugin's. */
export interface SinkConfig {
  readonly type: string;
  /** `20/min`, `5/s`, `100/h`. */
  readonly rateLimit?: string;
  /** Merge a backlog into digest messages (default true). */
  readonly merge?: boolean;
  /** The section's `timeout:` in ms, when it has one (overrides `delivery.timeoutMs`). */
  readonly timeoutMs?: number;
  /** The section's `batch:` in ms (quiet mode: one digest per period). */
  readonly batchMs?: number;
  readonly [key: string]: unknown;
}

/** One value or a list; a leading `!` negates an entry. */
export type Filter = string | readonly string[];

export interface RouteWhen {
  readonly source?: Filter;
  readonly repo?: Filter;
  /** Event type (`push`) or full name (`gitee.push.create`). */
  readonly event?: Filter;
  readonly action?: Filter;
  readonly branch?: Filter;
  readonly tag?: Filter;
  readonly actor?: Filter;
  readonly robot?: Filter;
  /** Deliver the source's test-button pings too. */
  readonly ping?: boolean;
}

export interface RouteConfig {
  /** Defaults to `routes[i]`. */
  readonly name: string;
  readonly when: RouteWhen;
  readonly to: readonly string[];
  /** A template folder searched before `templates.dir` for this route. */
  readonly template?: string;
  /** Quiet mode for this route's deliveries, ms: held and sent as one digest per period. */
  readonly batchMs?: number;
}
