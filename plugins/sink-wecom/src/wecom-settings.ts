import { readRobotEndpoint, type RobotEndpoint, type RobotEndpointSpec } from '@hookmux/core';

/** The WeCom message types the sink can send, as `format:` names them. */
export const weComFormats = ['text', 'markdown', 'markdown_v2', 'news', 'template_card'] as const;
export type WeComFormat = (typeof weComFormats)[number];

export const defaultWeComApiBase = 'https://qyapi.weixin.qq.com';

/** One `sinks.<name>` section of type `wecom`, read and defaulted. `url` is a secret. */
export interface WeComSettings extends RobotEndpoint {
  readonly format: WeComFormat;
  readonly mentions: boolean;
}

export function isWeComFormat(value: unknown): value is WeComFormat {
  return typeof value === 'string' && (weComFormats as readonly string[]).includes(value);
}

/** The configured format, `markdown` when unset or unknown (the schema rejects unknown ones). */
export function readWeComFormat(settings: Readonly<Record<string, unknown>>): WeComFormat {
  const format = settings['format'];
  return isWeComFormat(format) ? format : 'markdown';
}

const weComEndpoint: RobotEndpointSpec = {
  type: 'wecom',
  credentialKey: 'key',
  hint: 'set `webhook` to the robot URL, or `key` to the key at the end of it',
  defaultApiBase: defaultWeComApiBase,
  urlFor: (base, key) => `${base}/cgi-bin/webhook/send?key=${key}`,
  credentialInUrl: (url) => url.searchParams.get('key'),
};

/** Reads a section (see `readRobotEndpoint`); the error never quotes the URL or key. */
export function resolveWeComSettings(settings: Readonly<Record<string, unknown>>): WeComSettings {
  return {
    ...readRobotEndpoint(settings, weComEndpoint),
    format: readWeComFormat(settings),
    mentions: settings['mentions'] !== false,
  };
}
