import { createHash } from 'node:crypto';

import {
  HookmuxError,
  injectable,
  type DeliveryResult,
  type Message,
  type RateLimit,
  type Sink,
  type SinkContext,
  type SinkTarget,
  type Dialect,
  type TemplateFormat,
  postToRobot,
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
    return `feishu:${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
  }

  /** Well under the 20 KB body, leaving room for JSON escaping and post structure; the builder still fits it. */
  maxTextBytes(): number {
    return 16_000;
  }

  toRequestBody(message: Message, target: SinkTarget): FeishuBody {
    return buildFeishuBody(message, toBuildOptions(resolveFeishuSinkSettings(target.settings)));
  }

  async send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    let settings: FeishuSinkSettings;
    try {
      settings = resolveFeishuSinkSettings(target.settings);
    } catch (error) {
      const detail = HookmuxError.is(error) ? error.describe() : 'the sink settings cannot be read';
      return report({ ok: false, kind: 'permanent', code: 'config', detail }, target, context, []);
    }
    const body = buildFeishuBody(message, toBuildOptions(settings));
    const result = await postFeishu(settings, body, context);
    return report(result, target, context, settings.secrets);
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

function postFeishu(
  settings: FeishuSinkSettings,
  body: FeishuBody,
  context: SinkContext,
): Promise<DeliveryResult> {
  return postToRobot(settings.url, body, {
    robot: 'Feishu hook endpoint',
    timeoutMs: settings.timeoutMs,
    context,
    classify: classifyFeishuAnswer,
  });
}

/** Masks the hook URL, token and secret in the result, and logs one line per failure. */
function report(
  result: DeliveryResult,
  target: SinkTarget,
  context: SinkContext,
  secrets: readonly string[],
): DeliveryResult {
  if (result.ok) return result;
  let detail = result.detail;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    detail = detail.split(secret).join('***');
  const masked = { ...result, detail };
  const line = { sink: target.name, kind: masked.kind, code: masked.code };
  const text = `Feishu delivery failed (${masked.kind}, code ${String(masked.code)}): ${masked.detail}`;
  if (masked.kind === 'permanent') context.logger.error(line, text);
  else context.logger.warn(line, text);
  return masked;
}
