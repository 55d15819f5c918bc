import {
  assertShallow,
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

import { collectFeishuKeywordText, hasFeishuKeyword } from './collect-feishu-keyword-text.js';
import { deriveFeishuEventId } from './derive-feishu-event-id.js';
import { feishuMsgTypes, type FeishuMessageData } from './feishu-message-data.js';
import {
  feishuHookPath,
  feishuSourceConfigSchema,
  readFeishuSourceSettings,
  type FeishuRobotSettings,
} from './feishu-source-settings.js';
import { normalizeFeishuMessage } from './normalize-feishu-message.js';
import { feishuSuccessBody, toFeishuReply } from './to-feishu-reply.js';
import { verifyFeishuSignature } from './verify-feishu-signature.js';

/** Feishu refuses request bodies over 20 KB with 9499 (robots.md §3.4); so does its stand-in. */
export const feishuMaxBodyBytes = 20 * 1024;
const maxJsonDepth = 64;
const maxSummaryChars = 120;

/**
 * An endpoint that speaks the Feishu/Lark custom-bot API (robots.md §3, §4): tools that can post
 * to a Feishu group bot post to hookmux instead, and routes pick the groups. It checks what
 * Feishu checks (token, signature, keywords; the IP list is core's), answers with Feishu's codes,
 * and turns every message type into one `feishu.message.<msg_type>` event.
 */
@injectable()
export class FeishuSource implements Source {
  readonly id = 'feishu';
  readonly configSchema = feishuSourceConfigSchema;
  /** `*` also masks the map keys: a hook token is the robot's credential. */
  readonly secretKeys = ['robots.*.secret'] as const;
  /** One event per message type: `feishu.message.<msg_type>`. */
  readonly eventNames = feishuMsgTypes.map((type) => toEventName('feishu', 'message', type));

  endpoints(): readonly SourceEndpoint[] {
    return [{ method: 'POST', path: feishuHookPath }];
  }

  checkSettings(settings: Readonly<Record<string, unknown>>): readonly string[] {
    const { robots } = readFeishuSourceSettings(settings);
    const open = [...robots.values()].filter((r) => r.secret === undefined && r.keywords.length === 0).length;
    const warnings: string[] = [];
    if (robots.size === 0) warnings.push('sources.feishu.robots is empty: every request is answered 19001');
    if (open > 0) {
      warnings.push(
        `sources.feishu: ${open} of ${robots.size} robot(s) have neither a secret nor keywords, so anyone who learns the hook URL can post; set a secret (签名校验) and sign in the client`,
      );
    }
    return warnings;
  }

  receive(request: InboundRequest, context: SourceContext): HookEvent {
    const settings = readFeishuSourceSettings(context.settings);
    const dryRun = context.skipVerification === true;
    const [token, robot] = findRobot(request, settings.robots, dryRun);
    if (request.rawBody.length > feishuMaxBodyBytes) {
      throw new HookmuxError(
        'HM_ERR_HTTP_BODY_TOO_LARGE',
        `the Feishu message is ${request.rawBody.length} bytes; Feishu takes at most ${feishuMaxBodyBytes}`,
        { hint: 'shorten the message: Feishu refuses request bodies over 20 KB' },
      );
    }
    const body = parseFeishuBody(request.rawBody);
    if (robot.secret !== undefined && !dryRun) {
      verifyFeishuSignature(body, {
        secret: robot.secret,
        now: context.now(),
        windowMs: settings.timestampWindowMs,
      });
    }
    const data = normalizeFeishuMessage(body, token, { allowAtAll: robot.allowAtAll });
    if (!dryRun && !hasFeishuKeyword(collectFeishuKeywordText(body), robot.keywords)) {
      throw new HookmuxError(
        'HM_ERR_SRC_KEYWORD',
        "the Feishu message contains none of the robot's keywords",
        {
          hint: 'put one of the keywords in the message text or title (links do not count), or change sources.feishu.robots.<token>.keywords',
        },
      );
    }
    const url = data.links[0]?.url ?? data.buttons[0]?.url;
    // The sign is a credential for the timestamp: keep it out of stored payloads.
    const payload = Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'sign'));
    return {
      id: deriveFeishuEventId(token, body, request.receivedAt),
      source: this.id,
      type: 'message',
      action: data.msgType,
      name: toEventName(this.id, 'message', data.msgType),
      robot: token,
      ping: false,
      receivedAt: request.receivedAt,
      ...(url === undefined ? {} : { url }),
      summary: summarize(data),
      payload,
      data: data as unknown as Readonly<Record<string, unknown>>,
    };
  }

  reply(_outcome: IntakeOutcome): HttpReply {
    return { status: 200, body: feishuSuccessBody };
  }

  replyError(error: HookmuxError): HttpReply {
    return toFeishuReply(error);
  }
}

/**
 * The robot the request is for. Dry runs (`hookmux render`, the admin playground) have no path
 * token: they take the `x-feishu-robot` header, else the first configured robot.
 */
function findRobot(
  request: InboundRequest,
  robots: ReadonlyMap<string, FeishuRobotSettings>,
  dryRun: boolean,
): [string, FeishuRobotSettings] {
  const token =
    request.params['token'] ??
    (dryRun ? (request.headers['x-feishu-robot'] ?? robots.keys().next().value) : undefined);
  const robot = token === undefined ? undefined : robots.get(token);
  if (token === undefined || robot === undefined) {
    throw new HookmuxError('HM_ERR_SRC_UNKNOWN_ROBOT', 'no Feishu robot with this hook token', {
      hint: 'add the token (the last segment of the hook URL) under sources.feishu.robots',
      at: 'token',
    });
  }
  return [token, robot];
}

function parseFeishuBody(rawBody: Buffer): Readonly<Record<string, unknown>> {
  let parsed: unknown;
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  // Before parsing: `JSON.parse` of a very deep body exhausts the stack, a 500 instead of Feishu's 9499.
  assertShallow(text, 'Feishu');
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HookmuxError('HM_ERR_HTTP_BAD_JSON', 'the Feishu request body is not valid JSON', {
      hint: 'send the message as a JSON object with Content-Type: application/json',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HookmuxError('HM_ERR_SRC_MALFORMED', 'the Feishu request body is not a JSON object', {
      at: 'body',
    });
  }
  assertShallowTree(parsed);
  return parsed as Readonly<Record<string, unknown>>;
}

/** Feishu cards nest a few levels; far deeper is an attack on recursive readers (a card sent as a string). */
function assertShallowTree(body: object): void {
  const stack: [unknown, number][] = [[body, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() ?? [undefined, 0];
    if (depth > maxJsonDepth) {
      throw new HookmuxError(
        'HM_ERR_SRC_MALFORMED',
        `the Feishu body is nested deeper than ${maxJsonDepth} levels`,
        {
          at: 'body',
        },
      );
    }
    if (typeof value === 'object' && value !== null)
      for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
}

const typeLabels: Record<FeishuMessageData['msgType'], string> = {
  text: '文本消息',
  post: '富文本消息',
  interactive: '卡片消息',
  image: '图片消息',
  share_chat: '群名片',
};

/** One line for digests: the title, else the first line of the text, else what kind of message it was. */
function summarize(data: FeishuMessageData): string {
  const line = (data.title ?? data.text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  const chars = [...(line === '' ? `飞书${typeLabels[data.msgType]}` : line)];
  return chars.length <= maxSummaryChars
    ? chars.join('')
    : `${chars.slice(0, maxSummaryChars - 1).join('')}…`;
}
