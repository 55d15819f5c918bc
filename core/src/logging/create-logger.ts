import { pino } from 'pino';
import pretty from 'pino-pretty';

import { maskSecrets } from '../config/collect-secrets.js';
import type { Logger } from './logger.js';

export interface CreateLoggerOptions {
  readonly level?: string;
  /** Values to mask wherever they appear in a line (robot keys, tokens); read on every write, so it can grow. */
  readonly secrets: { readonly values: readonly string[] };
  readonly destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Human-readable lines; default: when the destination is a terminal. */
  readonly pretty?: boolean | undefined;
}

/**
 * One line per event and per delivery attempt: JSON (pino) for log collectors, or pretty lines on a
 * terminal. Every line passes through the secret mask last, so a robot key that slipped into an
 * error message or a URL is still masked.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const stream =
    (options.pretty ?? destination.isTTY === true)
      ? pretty({
          destination,
          colorize: destination.isTTY === true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,name',
        })
      : destination;
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'hookmux' },
      hooks: { streamWrite: (line: string) => maskSecrets(line, options.secrets.values) },
      redact: {
        paths: ['*.password', '*.sign', '*.secret', '*.token', '*.key', 'headers["x-gitee-token"]'],
        censor: '***',
      },
    },
    stream,
  );
}
