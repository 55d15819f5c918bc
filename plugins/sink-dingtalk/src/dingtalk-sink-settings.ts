import { HookmuxError, type JsonSchema } from '@hookmux/core';

/** The DingTalk message types the sink can send, as `format:` names them. */
export const dingTalkFormats = ['text', 'markdown', 'link', 'actionCard', 'feedCard'] as const;
export type DingTalkFormat = (typeof dingTalkFormats)[number];

export const defaultDingTalkApiBase = 'https://oapi.dingtalk.com';
export const defaultDingTalkTimeoutMs = 10_000;

/** One `sinks.<name>` section of type `dingtalk`, read and defaulted. */
export interface DingTalkSinkSettings {
  /** The robot URL with its access_token, unsigned. Secret. */
  readonly url: string;
  /** 加签 secret: every request is signed when set. */
  readonly secret: string | undefined;
  /** Every credential, so that it can be masked wherever text leaves the sink. */
  readonly secrets: readonly string[];
  readonly format: DingTalkFormat;
  readonly mentions: boolean;
  readonly timeoutMs: number;
}

const durationPattern = '^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m)?\\s*$';

export const dingTalkSinkConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    type: { const: 'dingtalk' },
    webhook: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'Full robot URL (https://oapi.dingtalk.com/robot/send?access_token=...). Secret.',
    },
    accessToken: {
      type: 'string',
      minLength: 1,
      pattern: '^\\S+$',
      description: 'The robot access_token. Secret.',
    },
    apiBase: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'Where `accessToken` is sent (default https://oapi.dingtalk.com); for tests and proxies.',
    },
    secret: {
      type: 'string',
      minLength: 1,
      description: '加签 secret (SEC…): every request is signed. Secret.',
    },
    format: { enum: [...dingTalkFormats], default: 'markdown' },
    mentions: {
      type: 'boolean',
      default: true,
      description: 'Mention people at all (false: `@name` as plain text, no `at`).',
    },
    rateLimit: {
      type: 'string',
      pattern:
        '^\\s*[1-9][0-9]*\\s*/\\s*([1-9][0-9]*\\s*)?(ms|s|sec|second|seconds|m|min|minute|minutes|h|hour|hours)\\s*$',
      description: 'Messages per window, e.g. `20/min` (DingTalk allows 20 a minute per robot).',
    },
    merge: { type: 'boolean', description: 'Merge a backlog into digest messages (default true).' },
    timeout: {
      description: 'HTTP timeout of one send: ms, or `500ms`, `5s`, `1m` (default 10s).',
      anyOf: [
        { type: 'number', exclusiveMinimum: 0 },
        { type: 'string', pattern: durationPattern },
      ],
    },
  },
  required: ['type'],
  oneOf: [
    { required: ['webhook'], not: { required: ['accessToken'] } },
    { required: ['accessToken'], not: { required: ['webhook'] } },
  ],
  additionalProperties: false,
};

export function readDingTalkFormat(settings: Readonly<Record<string, unknown>>): DingTalkFormat {
  const format = settings['format'];
  return typeof format === 'string' && (dingTalkFormats as readonly string[]).includes(format)
    ? (format as DingTalkFormat)
    : 'markdown';
}

/** Reads a section; checks what sending cannot do without, and never quotes the URL or token. */
export function resolveDingTalkSinkSettings(
  settings: Readonly<Record<string, unknown>>,
): DingTalkSinkSettings {
  const webhook = nonEmpty(settings['webhook']);
  const token = nonEmpty(settings['accessToken']);
  if ((webhook === undefined) === (token === undefined)) {
    throw new HookmuxError(
      'HM_ERR_CFG_INVALID',
      'a dingtalk sink needs exactly one of `webhook` and `accessToken`',
      {
        hint: 'set `webhook` to the robot URL, or `accessToken` to the access_token at the end of it',
      },
    );
  }
  const base = (nonEmpty(settings['apiBase']) ?? defaultDingTalkApiBase).replace(/\/+$/, '');
  const url = webhook ?? `${base}/robot/send?access_token=${encodeURIComponent(token ?? '')}`;
  const secret = nonEmpty(settings['secret']);
  const tokenInUrl = URL.canParse(url) ? nonEmpty(new URL(url).searchParams.get('access_token')) : undefined;
  return {
    url,
    secret,
    secrets: [url, token, tokenInUrl, secret].filter((s): s is string => s !== undefined),
    format: readDingTalkFormat(settings),
    mentions: settings['mentions'] !== false,
    timeoutMs: parseTimeoutMs(settings['timeout']) ?? defaultDingTalkTimeoutMs,
  };
}

/** `5000`, `"500ms"`, `"5s"`, `"1m"` → ms; anything else → undefined (the default applies). */
function parseTimeoutMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!match) return undefined;
  const unit = match[2] ?? 'ms';
  const ms = Number(match[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1);
  return ms > 0 ? ms : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
