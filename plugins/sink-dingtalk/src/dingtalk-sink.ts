import {
  hashRobotUrl,
  injectable,
  type DeliveryResult,
  type Message,
  type Person,
  type RateLimit,
  type Sink,
  type SinkContext,
  type SinkTarget,
  type Dialect,
  type TemplateFormat,
  sendToRobot,
} from '@hookmux/core';

import {
  buildDingTalkBody,
  dingTalkDialect,
  dingTalkLimits,
  type DingTalkBody,
} from './build-dingtalk-body.js';
import { classifyDingTalkAnswer } from './classify-dingtalk-answer.js';
import {
  dingTalkSinkConfigSchema,
  readDingTalkFormat,
  resolveDingTalkSinkSettings,
} from './dingtalk-sink-settings.js';
import { signDingTalkUrl } from './sign-dingtalk-url.js';

/** The DingTalk custom robot (自定义机器人): text, markdown, link, actionCard and feedCard, signed when a secret is set. */
@injectable()
export class DingTalkSink implements Sink {
  readonly type = 'dingtalk';
  readonly identity = 'dingtalk';
  readonly configSchema = dingTalkSinkConfigSchema;
  readonly secretKeys: readonly string[] = ['webhook', 'accessToken', 'secret'];
  readonly rateLimits: readonly RateLimit[] = [{ count: 20, windowMs: 60_000 }];

  /** `@userId` inline; the id also goes to `at.atUserIds`, since DingTalk needs both to notify and highlight. */
  formatMention(userId: string): string {
    return `@${userId}`;
  }

  dialect(target: SinkTarget): Dialect {
    return dingTalkDialect(readDingTalkFormat(target.settings));
  }

  templateFormat(target: SinkTarget): TemplateFormat {
    return readDingTalkFormat(target.settings) === 'text' ? 'txt' : 'md';
  }

  /** A hash of the robot URL: one robot configured twice shares one limit, and the token never shows. */
  robotKey(target: SinkTarget): string {
    const { url } = resolveDingTalkSinkSettings(target.settings);
    return `dingtalk:${hashRobotUrl(url)}`;
  }

  maxTextBytes(target: SinkTarget): number {
    void target;
    return dingTalkLimits.text;
  }

  toRequestBody(message: Message, target: SinkTarget): DingTalkBody {
    return buildDingTalkBody(message, resolveDingTalkSinkSettings(target.settings));
  }

  send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    return sendToRobot(target, context, {
      robot: 'DingTalk robot',
      readSettings: resolveDingTalkSinkSettings,
      // Signed per request: DingTalk checks the timestamp against its clock (±1 h).
      request: (settings) => ({
        url: settings.secret === undefined ? settings.url : signDingTalkUrl(settings.url, settings.secret),
        body: buildDingTalkBody(message, settings),
      }),
      classify: classifyDingTalkAnswer,
    });
  }

  checkTarget(target: SinkTarget, people: readonly Person[]): readonly string[] {
    if (target.settings['mentions'] === false) return [];
    const format = readDingTalkFormat(target.settings);
    // DingTalk ignores `at` on link and feedCard messages (robots.md §2.1).
    if (
      (format === 'link' || format === 'feedCard') &&
      people.some((p) => p['dingtalk'] !== undefined || p['mobile'] !== undefined)
    ) {
      return [
        `sinks.${target.name}: DingTalk ${format} messages cannot mention anyone; use format: markdown or text to mention`,
      ];
    }
    return [];
  }
}
