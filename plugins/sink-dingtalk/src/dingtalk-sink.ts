import { createHash } from 'node:crypto';

import {
  HookmuxError,
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
  postToRobot,
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
  type DingTalkSinkSettings,
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
    return `dingtalk:${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
  }

  maxTextBytes(target: SinkTarget): number {
    void target;
    return dingTalkLimits.text;
  }

  toRequestBody(message: Message, target: SinkTarget): DingTalkBody {
    return buildDingTalkBody(message, resolveDingTalkSinkSettings(target.settings));
  }

  async send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    let settings: DingTalkSinkSettings;
    try {
      settings = resolveDingTalkSinkSettings(target.settings);
    } catch (error) {
      const detail = HookmuxError.is(error) ? error.describe() : 'the sink settings cannot be read';
      return report({ ok: false, kind: 'permanent', code: 'config', detail }, target, context, []);
    }
    const result = await postDingTalk(settings, buildDingTalkBody(message, settings), context);
    return report(result, target, context, settings.secrets);
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

function postDingTalk(
  settings: DingTalkSinkSettings,
  body: DingTalkBody,
  context: SinkContext,
): Promise<DeliveryResult> {
  // Signed per request: DingTalk checks the timestamp against its clock (±1 h).
  const url = settings.secret === undefined ? settings.url : signDingTalkUrl(settings.url, settings.secret);
  return postToRobot(url, body, {
    robot: 'DingTalk robot',
    timeoutMs: settings.timeoutMs,
    context,
    classify: classifyDingTalkAnswer,
  });
}

/** Masks the URL, token, secret and any `sign` in the result, and logs one line per failure. */
function report(
  result: DeliveryResult,
  target: SinkTarget,
  context: SinkContext,
  secrets: readonly string[],
): DeliveryResult {
  if (result.ok) return result;
  const masked = { ...result, detail: maskSecrets(result.detail, secrets) };
  const line = { sink: target.name, kind: masked.kind, code: masked.code };
  const text = `DingTalk delivery failed (${masked.kind}, code ${String(masked.code)}): ${masked.detail}`;
  if (masked.kind === 'permanent') context.logger.error(line, text);
  else context.logger.warn(line, text);
  return masked;
}

function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text.replace(/([?&](?:access_token|sign)=)[^&\s"']+/gi, '$1***');
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret === '') continue;
    masked = masked.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
  }
  return masked;
}
