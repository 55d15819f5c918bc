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

import { buildWeComBody, weComDialect, weComLimits, type WeComBody } from './build-wecom-body.js';
import { classifyWeComAnswer } from './classify-wecom-answer.js';
import { formatWeComMention } from './format-wecom-mention.js';
import { weComConfigSchema } from './wecom-config-schema.js';
import { readWeComFormat, resolveWeComSettings, type WeComSettings } from './wecom-settings.js';

/** The WeCom (企业微信) group robot: text, markdown, markdown_v2, news and template_card messages. */
@injectable()
export class WeComSink implements Sink {
  readonly type = 'wecom';
  readonly identity = 'wecom';
  readonly configSchema = weComConfigSchema;
  readonly secretKeys: readonly string[] = ['webhook', 'key'];
  readonly rateLimits: readonly RateLimit[] = [{ count: 20, windowMs: 60_000 }];

  formatMention(userId: string, _format: TemplateFormat, target: SinkTarget): string {
    return formatWeComMention(
      userId,
      readWeComFormat(target.settings),
      target.settings['mentions'] !== false,
    );
  }

  dialect(target: SinkTarget): Dialect {
    return weComDialect(readWeComFormat(target.settings));
  }

  templateFormat(target: SinkTarget): TemplateFormat {
    return readWeComFormat(target.settings) === 'text' ? 'txt' : 'md';
  }

  /** A hash of the robot URL: the same robot configured twice shares one limit, and the key never shows. */
  robotKey(target: SinkTarget): string {
    return `wecom:${hashRobotUrl(resolveWeComSettings(target.settings).url)}`;
  }

  maxTextBytes(target: SinkTarget): number {
    switch (readWeComFormat(target.settings)) {
      case 'text':
        return weComLimits.text;
      case 'markdown':
      case 'markdown_v2':
        return weComLimits.markdown;
      case 'news':
        return weComLimits.newsDescription;
      case 'template_card':
        return weComLimits.cardSubTitle;
    }
  }

  toRequestBody(message: Message, target: SinkTarget): WeComBody {
    const settings = resolveWeComSettings(target.settings);
    return buildWeComBody(message, settings);
  }

  async send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    let settings: WeComSettings;
    try {
      settings = resolveWeComSettings(target.settings);
    } catch (error) {
      const detail = HookmuxError.is(error) ? error.describe() : 'the sink settings cannot be read';
      return this.#report({ ok: false, kind: 'permanent', code: 'config', detail }, target, context, []);
    }
    const result = await postWeCom(settings, buildWeComBody(message, settings), context);
    return this.#report(result, target, context, settings.secrets);
  }

  checkTarget(target: SinkTarget, people: readonly Person[]): readonly string[] {
    const format = readWeComFormat(target.settings);
    if ((format !== 'markdown' && format !== 'markdown_v2') || target.settings['mentions'] === false)
      return [];
    const problems = new Set<string>();
    for (const person of people) {
      if (person['mobile'] !== undefined && person['wecom'] === undefined) {
        problems.add(
          `sinks.${target.name}: WeCom markdown cannot mention by mobile: ${describePerson(person)} has a mobile but no \`wecom\` userid ` +
            '(add `wecom: <userid>` to the person, or use `format: text`)',
        );
      }
    }
    return [...problems];
  }

  /** Masks the robot URL and key in the result and logs one line per failure. */
  #report(
    result: DeliveryResult,
    target: SinkTarget,
    context: SinkContext,
    secrets: readonly string[],
  ): DeliveryResult {
    if (result.ok) return result;
    const masked = { ...result, detail: maskSecrets(result.detail, secrets) };
    const line = { sink: target.name, kind: masked.kind, code: masked.code };
    const text = `WeCom delivery failed (${masked.kind}, code ${String(masked.code)}): ${masked.detail}`;
    if (masked.kind === 'permanent') context.logger.error(line, text);
    else context.logger.warn(line, text);
    return masked;
  }
}

function postWeCom(settings: WeComSettings, body: WeComBody, context: SinkContext): Promise<DeliveryResult> {
  return postToRobot(settings.url, body, {
    robot: 'WeCom robot',
    timeoutMs: settings.timeoutMs,
    context,
    classify: classifyWeComAnswer,
  });
}

export function hashRobotUrl(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** Names the person by a non-secret, non-personal identity (their mobile number stays out of the report). */
function describePerson(person: Person): string {
  const [identity, value] = Object.entries(person).find(([k, v]) => k !== 'mobile' && v !== undefined) ?? [];
  return identity === undefined ? 'a person' : `the person with ${identity}: ${String(value)}`;
}

function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text.replace(/([?&]key=)[^&\s"']+/gi, '$1***');
  for (const secret of secrets) {
    if (secret !== '') masked = masked.split(secret).join('***');
  }
  return masked;
}
