import {
  coreSinkKeysSchema,
  nonEmptyString,
  readRobotEndpoint,
  webhookOrCredential,
  type JsonSchema,
  type RobotEndpoint,
  type RobotEndpointSpec,
} from '@hookmux/core';

/** The Feishu message types the sink can send, as `format:` names them. */
export const feishuFormats = ['text', 'post', 'interactive'] as const;
export type FeishuFormat = (typeof feishuFormats)[number];

export const defaultFeishuApiBase = 'https://open.feishu.cn';

/** One `sinks.<name>` section of type `feishu`, read and defaulted. `url` and `secret` are secrets. */
export interface FeishuSinkSettings extends RobotEndpoint {
  readonly format: FeishuFormat;
  readonly mentions: boolean;
  /** Card header colour (Feishu's `header.template`). */
  readonly cardColor: string;
}

export const feishuSinkConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    type: { const: 'feishu' },
    webhook: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'Full hook URL (https://open.feishu.cn/open-apis/bot/v2/hook/<token>). Secret.',
    },
    token: {
      type: 'string',
      minLength: 1,
      pattern: '^[^/?#\\s]+$',
      description: 'Hook token, the last segment of the hook URL. Secret.',
    },
    apiBase: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description:
        'Where `token` is sent (default https://open.feishu.cn; Lark: https://open.larksuite.com); for tests and proxies.',
    },
    secret: {
      type: 'string',
      minLength: 1,
      description: 'Signing secret (签名校验): every request is signed in the body. Secret.',
    },
    format: { enum: [...feishuFormats], default: 'post' },
    mentions: {
      type: 'boolean',
      default: true,
      description: 'Mention people at all (false: `@name` as plain text).',
    },
    cardColor: {
      type: 'string',
      pattern: '^[a-z-]+$',
      default: 'blue',
      description:
        'Card header colour for `format: interactive` (blue, wathet, turquoise, green, yellow, orange, red, carmine, violet, purple, indigo, grey).',
    },
    ...coreSinkKeysSchema('`100/min` (Feishu: 100 a minute and 5 a second per bot)'),
  },
  required: ['type'],
  oneOf: webhookOrCredential('token'),
  additionalProperties: false,
};

export function isFeishuFormat(value: unknown): value is FeishuFormat {
  return typeof value === 'string' && (feishuFormats as readonly string[]).includes(value);
}

/** The configured format, `post` when unset. */
export function readFeishuFormat(settings: Readonly<Record<string, unknown>>): FeishuFormat {
  const format = settings['format'];
  return isFeishuFormat(format) ? format : 'post';
}

const feishuEndpoint: RobotEndpointSpec = {
  type: 'feishu',
  credentialKey: 'token',
  hint: 'set `webhook` to the hook URL, or `token` to its last segment',
  defaultApiBase: defaultFeishuApiBase,
  urlFor: (base, token) => `${base}/open-apis/bot/v2/hook/${token}`,
  credentialInUrl: (url) => url.pathname.split('/').pop(),
};

/** Reads a section (see `readRobotEndpoint`); never quotes the hook URL. */
export function resolveFeishuSinkSettings(settings: Readonly<Record<string, unknown>>): FeishuSinkSettings {
  return {
    ...readRobotEndpoint(settings, feishuEndpoint),
    format: readFeishuFormat(settings),
    mentions: settings['mentions'] !== false,
    cardColor: nonEmptyString(settings['cardColor']) ?? 'blue',
  };
}
