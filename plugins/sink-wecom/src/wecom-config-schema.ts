import { coreSinkKeysSchema, webhookOrCredential, type JsonSchema } from '@hookmux/core';

import { weComFormats } from './wecom-settings.js';

/**
 * One `sinks.<name>` section of type `wecom`, the core keys (`type`, `rateLimit`, `merge`,
 * `timeout`) included. Unknown keys are refused so that a typo (`fromat:`) is an error at load,
 * not a silently ignored setting.
 */
export const weComConfigSchema: JsonSchema = {
  type: 'object',
  properties: {
    type: { const: 'wecom' },
    webhook: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'Full robot URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...). Secret.',
    },
    key: {
      type: 'string',
      minLength: 1,
      pattern: '^\\S+$',
      description: 'Robot key, the end of the robot URL. Secret.',
    },
    apiBase: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      description: 'Where `key` is sent (default https://qyapi.weixin.qq.com); for tests and proxies.',
    },
    format: { enum: [...weComFormats], default: 'markdown' },
    mentions: {
      type: 'boolean',
      default: true,
      description: 'Mention people at all (false: `@name` as plain text).',
    },
    ...coreSinkKeysSchema('`20/min` (WeCom allows 20 a minute per robot)'),
  },
  required: ['type'],
  oneOf: webhookOrCredential('key'),
  additionalProperties: false,
};
