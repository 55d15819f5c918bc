import { HookmuxError } from '@hookmux/core';

/** The WeCom message types the sink can send, as `format:` names them. */
export const weComFormats = ['text', 'markdown', 'markdown_v2', 'news', 'template_card'] as const;
export type WeComFormat = (typeof weComFormats)[number];

export const defaultWeComApiBase = 'https://qyapi.weixin.qq.com';
export const defaultWeComTimeoutMs = 10_000;

/** One `sinks.<name>` section of type `wecom`, read and defaulted. `url` is a secret. */
export interface WeComSettings {
  readonly url: string;
  /** The credential inside `url`, so that it can be masked wherever text leaves the sink. */
  readonly secrets: readonly string[];
  readonly format: WeComFormat;
  readonly mentions: boolean;
  readonly timeoutMs: number;
}

export function isWeComFormat(value: unknown): value is WeComFormat {
  return typeof value === 'string' && (weComFormats as readonly string[]).includes(value);
}

/** The configured format, `markdown` when unset or unknown (the schema rejects unknown ones). */
export function readWeComFormat(settings: Readonly<Record<string, unknown>>): WeComFormat {
  const format = settings['format'];
  return isWeComFormat(format) ? format : 'markdown';
}

/**
 * Reads a validated section. It still checks the one thing sending cannot do without (a robot
 * URL), because `toRequestBody` and `send` may be called with hand-built targets; the error
 * never quotes the URL or key.
 */
export function resolveWeComSettings(settings: Readonly<Record<string, unknown>>): WeComSettings {
  const webhook = nonEmptyString(settings['webhook']);
  const key = nonEmptyString(settings['key']);
  if ((webhook === undefined) === (key === undefined)) {
    throw new HookmuxError('HM_ERR_CFG_INVALID', 'a wecom sink needs exactly one of `webhook` and `key`', {
      hint: 'set `webhook` to the robot URL, or `key` to the key at the end of it',
    });
  }
  const url =
    webhook ??
    `${trimSlashes(nonEmptyString(settings['apiBase']) ?? defaultWeComApiBase)}/cgi-bin/webhook/send?key=${encodeURIComponent(key ?? '')}`;
  const keyInUrl = readKeyFromUrl(url);
  return {
    url,
    secrets: [url, ...[key, keyInUrl].filter((s): s is string => s !== undefined)],
    format: readWeComFormat(settings),
    mentions: settings['mentions'] !== false,
    timeoutMs: parseTimeoutMs(settings['timeout']) ?? defaultWeComTimeoutMs,
  };
}

/** `5000`, `"5000"`, `"500ms"`, `"5s"`, `"1m"` → ms; anything else → undefined (the default applies). */
export function parseTimeoutMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const ms = unit === 'm' ? amount * 60_000 : unit === 's' ? amount * 1000 : amount;
  return ms > 0 ? ms : undefined;
}

function readKeyFromUrl(url: string): string | undefined {
  try {
    return nonEmptyString(new URL(url).searchParams.get('key'));
  } catch {
    return undefined;
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function trimSlashes(base: string): string {
  return base.replace(/\/+$/, '');
}
