import { HookmuxError, readString, type JsonSchema } from '@hookmux/core';

/** `sources.gitee.secret: none` accepts hooks without a password or signature. */
export const noSecret = 'none';

export const defaultGiteePath = '/webhooks/gitee';
export const defaultTimestampWindowMs = 60 * 60 * 1000;

/** `sources.gitee`, as the source uses it. */
export interface GiteeSettings {
  readonly path: string;
  /** The password or signing key; `undefined` when the config says `none`. */
  readonly secret: string | undefined;
  readonly timestampWindowMs: number;
}

const durationPattern = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|min|h|d)?\\s*$';

export const giteeConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['secret'],
  properties: {
    path: {
      type: 'string',
      pattern: '^/',
      default: defaultGiteePath,
      description: 'Where Gitee posts (the path part of the WebHook URL).',
    },
    secret: {
      type: 'string',
      minLength: 1,
      description:
        'The WebHook password or signing key set in Gitee (both modes are accepted); `none` accepts unauthenticated hooks.',
    },
    timestampWindow: {
      anyOf: [
        { type: 'integer', minimum: 1000, description: 'milliseconds' },
        { type: 'string', pattern: durationPattern, description: 'a duration: 90s, 30m, 1h' },
      ],
      default: '1h',
      description: 'How far a signed timestamp may be from the server clock (Gitee documents 1h).',
    },
    allow: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Client addresses or CIDR ranges allowed to post (enforced by core).',
    },
  },
};

/** Reads the validated section, filling defaults (core may or may not have applied them). */
export function readGiteeSettings(settings: Readonly<Record<string, unknown>>): GiteeSettings {
  const secret = readString(settings, 'secret');
  if (secret === undefined || secret === '') {
    throw new HookmuxError('HM_ERR_CFG_INVALID', 'sources.gitee.secret is required', {
      hint: 'set it to the WebHook password or signing key from Gitee (e.g. ${GITEE_WEBHOOK_SECRET}), or to none to accept unauthenticated hooks',
      at: 'sources.gitee.secret',
    });
  }
  return {
    path: readString(settings, 'path') ?? defaultGiteePath,
    secret: secret === noSecret ? undefined : secret,
    timestampWindowMs: parseWindow(settings['timestampWindow']),
  };
}

function parseWindow(value: unknown): number {
  if (value === undefined) return defaultTimestampWindowMs;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$/.exec(value);
    if (match) {
      const unit = match[2] ?? 'ms';
      const factor = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
      if (factor !== undefined) return Number(match[1]) * factor;
    }
  }
  throw new HookmuxError('HM_ERR_CFG_INVALID', 'sources.gitee.timestampWindow is not a duration', {
    hint: 'write milliseconds (3600000) or a duration such as 90s, 30m or 1h',
    at: 'sources.gitee.timestampWindow',
  });
}
