import { pino } from 'pino';

import type { Logger } from './logger.js';

export interface CreateLoggerOptions {
  readonly level?: string;
  /** Values to mask wherever they appear in a line (robot keys, tokens); read on every write, so it can grow. */
  readonly secrets: { readonly values: readonly string[] };
  readonly destination?: NodeJS.WritableStream;
}

/**
 * JSON lines (pino). Every line passes through the secret mask last, so a robot key that slipped
 * into an error message or a URL is still masked.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'hookmux' },
      hooks: { streamWrite: (line: string) => maskValues(line, options.secrets.values) },
      redact: {
        paths: ['*.password', '*.sign', '*.secret', '*.token', '*.key', 'headers["x-gitee-token"]'],
        censor: '***',
      },
    },
    options.destination ?? process.stdout,
  );
}

/** Replaces every secret value (longest first; values under 4 characters are not secrets worth masking). */
export function maskValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('***');
  }
  return out;
}
