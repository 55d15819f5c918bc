import { describeErrorCode, type HookmuxErrorCode, type PluginErrorCode } from './error-codes.js';

const brand = Symbol.for('@hookmux/core/HookmuxError');

export interface HookmuxErrorOptions {
  /** What the user can do about it. */
  readonly hint?: string;
  /** The key path or file:line the error is about. */
  readonly at?: string;
  readonly cause?: unknown;
}

/**
 * The one error type hookmux raises on purpose: a code (listed in ERRORS.md), the HTTP status
 * it maps to when it reaches a client, and a hint that says how to fix it. Only 4xx messages are
 * shown to HTTP callers; 5xx details go to the log.
 */
export class HookmuxError extends Error {
  readonly [brand] = true;
  /** A core code (ERRORS.md) or a plugin's registered one (`defineErrorCodes`). */
  readonly code: HookmuxErrorCode | PluginErrorCode;
  readonly status: number;
  readonly hint: string | undefined;
  readonly at: string | undefined;

  constructor(code: HookmuxErrorCode | PluginErrorCode, message?: string, options: HookmuxErrorOptions = {}) {
    const info = describeErrorCode(code);
    // A plugin code nobody registered is a bug in the plugin: fail where it is raised.
    if (info === undefined) throw new Error(`${code} is not a registered error code (see defineErrorCodes)`);
    super(message ?? info.message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'HookmuxError';
    this.code = code;
    this.status = info.status;
    this.hint = options.hint;
    this.at = options.at;
  }

  /** True for 4xx errors, whose message may be shown to the HTTP caller. */
  get expose(): boolean {
    return this.status >= 400 && this.status < 500;
  }

  /** `at: message (hint)` on one line, for logs and the CLI. */
  describe(): string {
    const where = this.at ? `${this.at}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${where}${this.message}${hint} [${this.code}]`;
  }

  static is(value: unknown): value is HookmuxError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

/** Many config or template problems reported at once. */
export class HookmuxErrors extends Error {
  constructor(readonly errors: readonly HookmuxError[]) {
    super(errors.map((e) => e.describe()).join('\n'));
    this.name = 'HookmuxErrors';
  }
}
