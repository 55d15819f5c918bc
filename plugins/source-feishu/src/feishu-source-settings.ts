import { HookmuxError, type JsonSchema } from '@hookmux/core';

/** One inbound robot, as `sources.feishu.robots.<token>` configures it. */
export interface FeishuRobotSettings {
  /** The signing secret (签名校验) the client signs with; absent: no signature is checked. */
  readonly secret: string | undefined;
  /** Feishu's 自定义关键词: a message must contain one of them (text-like values only). */
  readonly keywords: readonly string[];
  /** Whether `<at user_id="all">` from this robot's clients mentions everyone (Feishu's default: yes). */
  readonly allowAtAll: boolean;
}

/** `sources.feishu`, as the source uses it. */
export interface FeishuSourceSettings {
  /** Hook token (last path segment of the hook URL) → its settings. */
  readonly robots: ReadonlyMap<string, FeishuRobotSettings>;
  /** How far a signed timestamp may be from the server clock, either way (Feishu: 1 h). */
  readonly timestampWindowMs: number;
}

export const feishuHookPath = '/feishu/open-apis/bot/v2/hook/:token';
export const feishuTimestampWindowMs = 60 * 60 * 1000;

export const feishuSourceConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['robots'],
  properties: {
    robots: {
      type: 'object',
      description:
        'Hook token (the last segment of /feishu/open-apis/bot/v2/hook/<token>) → its security settings. The token names the robot in routes (`when: { source: feishu, robot: <token> }`). Secret.',
      propertyNames: { pattern: '^[^/?#\\s]+$' },
      additionalProperties: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              secret: {
                type: 'string',
                minLength: 1,
                description: 'Signing secret (签名校验): the body must carry a valid `timestamp` and `sign`.',
              },
              keywords: {
                type: 'array',
                maxItems: 10,
                items: { type: 'string', minLength: 1 },
                description: 'Custom keywords (自定义关键词): the message text or title must contain one.',
              },
              allowAtAll: {
                type: 'boolean',
                default: true,
                description:
                  'Whether a client\'s @all (`<at user_id="all">`) mentions everyone in the groups the message goes to (default true, as Feishu; false: shown as text, pings nobody).',
              },
            },
          },
        ],
      },
    },
    allow: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description:
        'Client addresses or CIDR ranges allowed to post (IP 白名单; enforced by core, answered with 19022).',
    },
  },
};

/** Reads the validated section. A robot written as `token: {}` or `token:` has no security at all. */
export function readFeishuSourceSettings(settings: Readonly<Record<string, unknown>>): FeishuSourceSettings {
  const robots = settings['robots'];
  if (!isRecord(robots)) {
    throw new HookmuxError('HM_ERR_CFG_INVALID', 'sources.feishu.robots is required', {
      hint: 'list the hook tokens clients post to, e.g. robots: { ci-alerts: { secret: "${FS_SECRET}" } }',
      at: 'sources.feishu.robots',
    });
  }
  const map = new Map<string, FeishuRobotSettings>();
  for (const [token, value] of Object.entries(robots)) {
    const robot = isRecord(value) ? value : {};
    const secret =
      typeof robot['secret'] === 'string' && robot['secret'] !== '' ? robot['secret'] : undefined;
    const keywords = Array.isArray(robot['keywords'])
      ? robot['keywords'].filter((k): k is string => typeof k === 'string' && k !== '')
      : [];
    map.set(token, { secret, keywords, allowAtAll: robot['allowAtAll'] !== false });
  }
  return { robots: map, timestampWindowMs: feishuTimestampWindowMs };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
