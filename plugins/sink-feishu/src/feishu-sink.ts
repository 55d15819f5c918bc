import {
  hashRobotUrl,
  injectable,
  type DeliveryResult,
  type Message,
  type RateLimit,
  type Sink,
  type SinkContext,
  type SinkTarget,
  type Dialect,
  type TemplateFormat,
  sendToRobot,
} from '@hookmux/core';

import { buildFeishuBody, feishuDialect, type FeishuBody } from './build-feishu-body.js';
import { classifyFeishuAnswer } from './classify-feishu-answer.js';
import {
  feishuSinkConfigSchema,
  readFeishuFormat,
  resolveFeishuSinkSettings,
  type FeishuSinkSettings,
} from './feishu-sink-settings.js';
import { formatFeishuMention } from './format-feishu-mention.js';

/** The Feishu/Lark custom bot (自定义机器人): text, post (rich text) and interactive (card) messages. */
@injectable()
export class FeishuSink implements Sink {
  readonly type = 'feishu';
  readonly identity = 'feishu';
  readonly configSchema = feishuSinkConfigSchema;
  readonly secretKeys: readonly string[] = ['webhook', 'token', 'secret'];
  /** Feishu: 100 a minute and 5 a second per bot (robots.md §3.4). */
  readonly rateLimits: readonly RateLimit[] = [
    { count: 100, windowMs: 60_000 },
    { count: 5, windowMs: 1000 },
  ];

  formatMention(userId: string, _format: TemplateFormat, target: SinkTarget): string {
    return formatFeishuMention(
      userId,
      readFeishuFormat(target.settings),
      target.settings['mentions'] !== false,
    );
  }

  dialect(target: SinkTarget): Dialect {
    return feishuDialect(readFeishuFormat(target.settings));
  }

  templateFormat(target: SinkTarget): TemplateFormat {
    return readFeishuFormat(target.settings) === 'text' ? 'txt' : 'md';
  }

  /** A hash of the hook URL: sinks on one bot share its limits, and the token never shows. */
  robotKey(target: SinkTarget): string {
    const { url } = resolveFeishuSinkSettings(target.settings);
    return `feishu:${hashRobotUrl(url)}`;
  }

  /** Well under the 20 KB body, leaving room for JSON escaping and post structure; the builder still fits it. */
  maxTextBytes(): number {
    return 16_000;
  }

  toRequestBody(message: Message, target: SinkTarget): FeishuBody {
    return buildFeishuBody(message, toBuildOptions(resolveFeishuSinkSettings(target.settings)));
  }

  send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    return sendToRobot(target, context, {
      robot: 'Feishu hook endpoint',
      readSettings: resolveFeishuSinkSettings,
      // Signed in the body, per request.
      request: (settings) => ({
        url: settings.url,
        body: buildFeishuBody(message, toBuildOptions(settings)),
      }),
      classify: classifyFeishuAnswer,
    });
  }
}

function toBuildOptions(settings: FeishuSinkSettings): Parameters<typeof buildFeishuBody>[1] {
  return {
    format: settings.format,
    mentions: settings.mentions,
    secret: settings.secret,
    cardColor: settings.cardColor,
    now: Date.now(),
  };
}
