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

import { buildWeComBody, weComDialect, weComLimits, type WeComBody } from './build-wecom-body.js';
import { classifyWeComAnswer } from './classify-wecom-answer.js';
import { formatWeComMention } from './format-wecom-mention.js';
import { weComConfigSchema } from './wecom-config-schema.js';
import { readWeComFormat, resolveWeComSettings } from './wecom-settings.js';

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

  send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    return sendToRobot(target, context, {
      robot: 'WeCom robot',
      readSettings: resolveWeComSettings,
      request: (settings) => ({ url: settings.url, body: buildWeComBody(message, settings) }),
      classify: classifyWeComAnswer,
    });
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
}

/** Names the person by a non-secret, non-personal identity (their mobile number stays out of the report). */
function describePerson(person: Person): string {
  const [identity, value] = Object.entries(person).find(([k, v]) => k !== 'mobile' && v !== undefined) ?? [];
  return identity === undefined ? 'a person' : `the person with ${identity}: ${String(value)}`;
}
