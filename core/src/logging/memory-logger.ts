import type { Logger } from './logger.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A Logger that keeps every line in memory: for tests, and for the CLI's `check`. */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug(objOrMsg: object | string, msg?: string): void {
    this.#push('debug', objOrMsg, msg);
  }
  info(objOrMsg: object | string, msg?: string): void {
    this.#push('info', objOrMsg, msg);
  }
  warn(objOrMsg: object | string, msg?: string): void {
    this.#push('warn', objOrMsg, msg);
  }
  error(objOrMsg: object | string, msg?: string): void {
    this.#push('error', objOrMsg, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger(this.lines, { ...this.bindings, ...bindings });
  }

  /** Every line as JSON text, to grep for leaked secrets. */
  text(): string {
    return this.lines.map((l) => JSON.stringify(l, errorReplacer)).join('\n');
  }

  #push(level: LogLine['level'], objOrMsg: object | string, msg?: string): void {
    const fields = typeof objOrMsg === 'string' ? {} : objOrMsg;
    const text = typeof objOrMsg === 'string' ? objOrMsg : (msg ?? '');
    this.lines.push({ ...this.bindings, ...fields, level, msg: text });
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
