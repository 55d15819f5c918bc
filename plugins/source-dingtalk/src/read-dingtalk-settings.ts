import type { JsonSchema } from '@hookmux/core';

export const defaultDingTalkPath = '/dingtalk/robot/send';

/** One robot clients post to, named by the access_token they use. */
export interface DingTalkRobotSettings {
  readonly secret: string | undefined;
  readonly keywords: readonly string[];
  /** Whether `isAtAll` from this robot's clients mentions everyone (DingTalk's default: yes). */
  readonly allowAtAll: boolean;
}

/** `sources.dingtalk`, as the source uses it. */
export interface DingTalkSettings {
  readonly path: string;
  /** access_token → its security settings. */
  readonly robots: ReadonlyMap<string, DingTalkRobotSettings>;
}

export const dingTalkConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['robots'],
  properties: {
    path: {
      type: 'string',
      pattern: '^/',
      default: defaultDingTalkPath,
      description:
        'Where DingTalk-robot clients post (their webhook URL becomes http://<hookmux><path>?access_token=<token>).',
    },
    robots: {
      type: 'object',
      minProperties: 1,
      description:
        'access_token → { secret, keywords }. The token names the robot in routes (`when: { source: dingtalk, robot: <token> }`). Secret.',
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
                description: '加签 secret (SEC…): requests must carry &timestamp=&sign=. Secret.',
              },
              keywords: {
                type: 'array',
                maxItems: 10,
                items: { type: 'string', minLength: 1 },
                description: 'At least one must appear in the message text (DingTalk allows up to 10).',
              },
              allowAtAll: {
                type: 'boolean',
                default: true,
                description:
                  "Whether a client's `isAtAll` mentions everyone in the groups the message goes to (default true, as DingTalk; false: @all is dropped).",
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
        'Client addresses or CIDR ranges allowed to post (enforced by core; DingTalk "IP 地址（段）").',
    },
  },
};

/** Reads the validated section defensively (a hand-built context may skip validation). */
export function readDingTalkSettings(settings: Readonly<Record<string, unknown>>): DingTalkSettings {
  const path =
    typeof settings['path'] === 'string' && settings['path'] !== '' ? settings['path'] : defaultDingTalkPath;
  const robots = new Map<string, DingTalkRobotSettings>();
  const section = settings['robots'];
  if (isRecord(section)) {
    for (const [token, value] of Object.entries(section)) {
      const robot = isRecord(value) ? value : {};
      const secret =
        typeof robot['secret'] === 'string' && robot['secret'] !== '' ? robot['secret'] : undefined;
      const keywords = Array.isArray(robot['keywords'])
        ? robot['keywords'].filter((k): k is string => typeof k === 'string' && k !== '')
        : [];
      robots.set(token, { secret, keywords, allowAtAll: robot['allowAtAll'] !== false });
    }
  }
  return { path, robots };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
