import {
  coreSinkKeysSchema,
  readRobotEndpoint,
  webhookOrCredential,
  type JsonSchema,
  type RobotEndpoint,
  type RobotEndpointSpec,
} from '@hookmux/core';

/** The DingTalk message types the sink can send, as `format:` names them. */
export const dingTalkFormats = ['text', 'markdown', 'link', 'actionCard', 'feedCard'] as const;
export type DingTalkFormat = (typeof dingTalkFormats)[number];

export const defaultDingTalkApiBase = 'https://oapi.dingtalk.com';

/**
 * One `sinks.<name>` section of type `dingtalk`, read and defaulted: `url` is the robot URL with
 * its access_token, unsigned; `secret` (加签) signs every request when set.
 */
export interface DingTalkSinkSettings extends RobotEndpoint {
  readonly format: DingTalkFormat;
  readonly mentions: boolean;
}

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
    ...coreSinkKeysSchema('`20/min` (DingTalk allows 20 a minute per robot)'),
  },
  required: ['type'],
  oneOf: webhookOrCredential('accessToken'),
  additionalProperties: false,
};

export function readDingTalkFormat(settings: Readonly<Record<string, unknown>>): DingTalkFormat {
  const format = settings['format'];
  return typeof format === 'string' && (dingTalkFormats as readonly string[]).includes(format)
    ? (format as DingTalkFormat)
    : 'markdown';
}

const dingTalkEndpoint: RobotEndpointSpec = {
  type: 'dingtalk',
  credentialKey: 'accessToken',
  hint: 'set `webhook` to the robot URL, or `accessToken` to the access_token at the end of it',
  defaultApiBase: defaultDingTalkApiBase,
  urlFor: (base, token) => `${base}/robot/send?access_token=${token}`,
  credentialInUrl: (url) => url.searchParams.get('access_token'),
};

/** Reads a section (see `readRobotEndpoint`); never quotes the URL or token. */
export function resolveDingTalkSinkSettings(
  settings: Readonly<Record<string, unknown>>,
): DingTalkSinkSettings {
  return {
    ...readRobotEndpoint(settings, dingTalkEndpoint),
    format: readDingTalkFormat(settings),
    mentions: settings['mentions'] !== false,
  };
}
