import {
  HookmuxError,
  injectable,
  toEventName,
  type HookEvent,
  type HttpReply,
  type InboundRequest,
  type IntakeOutcome,
  type Source,
  type SourceContext,
  type SourceEndpoint,
} from '@hookmux/core';

import { dingTalkOk, replyDingTalkError } from './answer-dingtalk-error.js';
import { buildDingTalkMessageData, summarizeDingTalkMessage } from './build-dingtalk-message-data.js';
import { deriveDingTalkEventId } from './derive-dingtalk-event-id.js';
import {
  dingTalkConfigSchema,
  readDingTalkSettings,
  type DingTalkRobotSettings,
} from './read-dingtalk-settings.js';
import {
  dingTalkMsgtypes,
  parseDingTalkBody,
  readDingTalkMessage,
  type DingTalkMessage,
} from './read-dingtalk-message.js';
import { verifyDingTalkSignature } from './verify-dingtalk-signature.js';

/**
 * An endpoint that speaks the DingTalk custom-robot API (`POST /dingtalk/robot/send?access_token=`),
 * so that any tool that can post to a DingTalk robot can post to hookmux instead. It checks what
 * DingTalk checks, in DingTalk's order (token, signature, message, keywords), and answers as
 * DingTalk does: HTTP 200 and an `errcode`.
 */
@injectable()
export class DingTalkSource implements Source {
  readonly id = 'dingtalk';
  readonly configSchema = dingTalkConfigSchema;
  // `*` also collects the map keys: the access tokens are secrets like the signing secrets.
  readonly secretKeys = ['robots.*.secret'] as const;
  /** One event per message type: `dingtalk.message.<msgtype>`. */
  readonly eventNames = dingTalkMsgtypes.map((type) => toEventName('dingtalk', 'message', type));

  endpoints(settings: Readonly<Record<string, unknown>>): readonly SourceEndpoint[] {
    return [{ method: 'POST', path: readDingTalkSettings(settings).path }];
  }

  checkSettings(settings: Readonly<Record<string, unknown>>): readonly string[] {
    const { robots } = readDingTalkSettings(settings);
    const guarded = Array.isArray(settings['allow']) && settings['allow'].length > 0;
    const warnings: string[] = [];
    let open = 0;
    for (const robot of robots.values()) {
      if (robot.secret === undefined && robot.keywords.length === 0) open++;
    }
    // DingTalk insists on one security setting per robot; only the token guards an open one.
    if (open > 0 && !guarded) {
      warnings.push(
        `sources.dingtalk: ${open} robot(s) have neither a secret nor keywords, and there is no allow list: anyone who learns the access token can post; set a secret (加签)`,
      );
    }
    return warnings;
  }

  receive(request: InboundRequest, context: SourceContext): HookEvent {
    const settings = readDingTalkSettings(context.settings);
    const verify = context.skipVerification !== true;
    const token = readQueryParam(request, 'access_token')?.trim() ?? '';
    if (token === '' && verify) {
      throw new HookmuxError('HM_ERR_SRC_NO_TOKEN', 'the request has no access_token', {
        hint: 'post to …/robot/send?access_token=<a key of sources.dingtalk.robots>',
        at: 'access_token',
      });
    }
    const robot = settings.robots.get(token);
    if (robot === undefined && verify) {
      throw new HookmuxError('HM_ERR_SRC_UNKNOWN_ROBOT', 'no DingTalk robot has this access_token', {
        hint: 'add the token as a key under sources.dingtalk.robots',
        at: 'access_token',
      });
    }
    const timestamp = readQueryParam(request, 'timestamp');
    if (robot?.secret !== undefined && verify) {
      verifyDingTalkSignature(
        { timestamp, sign: readQueryParam(request, 'sign') },
        { secret: robot.secret, now: context.now() },
      );
    }

    const body = parseDingTalkBody(request.rawBody);
    const message = readDingTalkMessage(body);
    if (robot !== undefined && verify) assertKeywords(message, robot);

    const data = buildDingTalkMessageData(message, token, { allowAtAll: robot?.allowAtAll ?? true });
    context.logger.debug(
      { msgtype: message.msgtype, signed: robot?.secret !== undefined },
      'dingtalk message read',
    );
    return {
      id: deriveDingTalkEventId({
        token,
        rawBody: request.rawBody,
        timestamp,
        receivedAt: request.receivedAt,
      }),
      source: this.id,
      type: 'message',
      action: message.msgtype,
      name: toEventName(this.id, 'message', message.msgtype),
      robot: token,
      ping: false,
      receivedAt: request.receivedAt,
      ...(data.url === undefined ? {} : { url: data.url }),
      summary: summarizeDingTalkMessage(data),
      // The body carries no credential (the token and sign are in the query): kept as posted.
      payload: body,
      data: data as unknown as Readonly<Record<string, unknown>>,
    };
  }

  reply(outcome: IntakeOutcome): HttpReply {
    void outcome;
    return { status: 200, body: dingTalkOk };
  }

  replyError(error: HookmuxError): HttpReply {
    return replyDingTalkError(error);
  }
}

/**
 * One query parameter. Koa gives a repeated one (`?access_token=a&access_token=b`) as an array:
 * the same value twice counts once; different values name no robot (DingTalk's own error, not a 500).
 */
function readQueryParam(request: InboundRequest, key: string): string | undefined {
  const value: unknown = request.query[key];
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  const values = [...new Set(value.filter((v): v is string => typeof v === 'string'))];
  return values.length === 1 ? values[0] : values.length === 0 ? undefined : '\u0000ambiguous';
}

/** DingTalk's keyword rule: at least one keyword appears in a text-like field (not in URLs). */
function assertKeywords(message: DingTalkMessage, robot: DingTalkRobotSettings): void {
  if (robot.keywords.length === 0) return;
  const text = message.keywordText.join('\n');
  if (robot.keywords.some((keyword) => text.includes(keyword))) return;
  throw new HookmuxError('HM_ERR_SRC_KEYWORD', 'the DingTalk message contains none of the robot keywords', {
    hint: "put one of the robot's keywords in the message text or title",
    at: message.msgtype,
  });
}
