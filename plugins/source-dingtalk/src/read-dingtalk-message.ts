import { assertShallow, HookmuxError, withoutLinkTargets } from '@hookmux/core';

/** The message types a DingTalk custom robot takes on its webhook (robots.md §2.1). */
export const dingTalkMsgtypes = ['text', 'markdown', 'link', 'actionCard', 'feedCard'] as const;
export type DingTalkMsgtype = (typeof dingTalkMsgtypes)[number];

export interface DingTalkLink {
  readonly title: string;
  readonly url: string;
  readonly picUrl?: string;
}

export interface DingTalkButton {
  readonly title: string;
  readonly url: string;
}

/** A DingTalk robot message, read: field spellings unified, `dingtalk://` links unwrapped. */
export interface DingTalkMessage {
  readonly msgtype: DingTalkMsgtype;
  /** `markdown`, `link`, `actionCard`; absent for `text` and `feedCard`. */
  readonly title?: string;
  /** The body as sent: plain text for `text` and `link`, DingTalk markdown for `markdown` and `actionCard`. */
  readonly body: string;
  readonly links: readonly DingTalkLink[];
  readonly buttons: readonly DingTalkButton[];
  readonly at: {
    readonly all: boolean;
    readonly userIds: readonly string[];
    readonly mobiles: readonly string[];
  };
  /** The text-like values DingTalk checks keywords against (never URLs). */
  readonly keywordText: readonly string[];
}

/** Parses the raw body; a body that is not JSON is DingTalk's 40035 "缺少参数 json". */
export function parseDingTalkBody(rawBody: Buffer): unknown {
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw badJson('the request body is empty');
  // Before parsing: `JSON.parse` of a deeply nested body would exhaust the stack (a 500).
  assertShallow(text, 'DingTalk', {
    hint: 'post one DingTalk robot message: a JSON object a few levels deep',
    at: 'json',
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badJson('the request body is not valid JSON');
  }
}

/**
 * Reads one message like DingTalk's server would: the msgtype decides the object read, required
 * fields missing are 400402-style errors naming `<msgtype> --》 <field>`. Accepts the spellings
 * real clients send (robots.md §2.1, §4): `messageUrl`/`messageURL`, `picUrl`/`picURL`,
 * `actionURL`/`actionUrl`, `btnOrientation`/`hideAvatar` as strings or numbers.
 */
export function readDingTalkMessage(body: unknown): DingTalkMessage {
  if (!isRecord(body)) throw badJson('the request body is not a JSON object');
  const msgtype = body['msgtype'];
  if (typeof msgtype !== 'string' || !(dingTalkMsgtypes as readonly string[]).includes(msgtype)) {
    throw new HookmuxError(
      'HM_ERR_SRC_UNSUPPORTED_MESSAGE',
      typeof msgtype === 'string'
        ? `DingTalk msgtype "${msgtype.slice(0, 40)}" is not supported`
        : 'the body has no msgtype',
      { hint: `send one of ${dingTalkMsgtypes.join(', ')}`, at: 'msgtype' },
    );
  }
  const type = msgtype as DingTalkMsgtype;
  const content = body[type];
  if (!isRecord(content)) throw missing(type, type);
  const at = readAt(body['at']);
  switch (type) {
    case 'text': {
      const text = requireText(content, type, 'content');
      return { msgtype: type, body: text, links: [], buttons: [], at, keywordText: keywordsOf(text) };
    }
    case 'markdown': {
      const title = requireText(content, type, 'title');
      const text = requireText(content, type, 'text');
      const body = unwrapDingTalkLinksIn(text);
      return { msgtype: type, title, body, links: [], buttons: [], at, keywordText: keywordsOf(title, body) };
    }
    case 'link': {
      const title = requireText(content, type, 'title');
      const text = requireText(content, type, 'text');
      const url = requireUrl(content, type, ['messageUrl', 'messageURL']);
      const picUrl = readUrl(content, ['picUrl', 'picURL']);
      const link: DingTalkLink = { title, url, ...(picUrl === undefined ? {} : { picUrl }) };
      return {
        msgtype: type,
        title,
        body: text,
        links: [link],
        buttons: [],
        at,
        keywordText: keywordsOf(title, text),
      };
    }
    case 'actionCard':
      return readActionCard(content, at);
    case 'feedCard':
      return readFeedCard(content, at);
  }
}

function readActionCard(content: Record<string, unknown>, at: DingTalkMessage['at']): DingTalkMessage {
  const title = requireText(content, 'actionCard', 'title');
  const text = unwrapDingTalkLinksIn(requireText(content, 'actionCard', 'text'));
  const buttons: DingTalkButton[] = [];
  const btns = content['btns'];
  if (Array.isArray(btns) && btns.length > 0) {
    btns.forEach((btn, i) => {
      if (!isRecord(btn)) throw missing('actionCard', `btns[${i}]`);
      buttons.push({
        title: requireText(btn, 'actionCard', 'title', `btns[${i}].title`),
        url: requireUrl(btn, 'actionCard', ['actionURL', 'actionUrl'], `btns[${i}].actionURL`),
      });
    });
  } else {
    buttons.push({
      title: requireText(content, 'actionCard', 'singleTitle'),
      url: requireUrl(content, 'actionCard', ['singleURL', 'singleUrl']),
    });
  }
  return {
    msgtype: 'actionCard',
    title,
    body: text,
    links: [],
    buttons,
    at,
    keywordText: keywordsOf(title, text, ...buttons.map((b) => b.title)),
  };
}

function readFeedCard(content: Record<string, unknown>, at: DingTalkMessage['at']): DingTalkMessage {
  const items = content['links'];
  if (!Array.isArray(items) || items.length === 0) throw missing('feedCard', 'links');
  const links = items.map((item, i): DingTalkLink => {
    if (!isRecord(item)) throw missing('feedCard', `links[${i}]`);
    const picUrl = readUrl(item, ['picURL', 'picUrl']);
    return {
      title: requireText(item, 'feedCard', 'title', `links[${i}].title`),
      url: requireUrl(item, 'feedCard', ['messageURL', 'messageUrl'], `links[${i}].messageURL`),
      ...(picUrl === undefined ? {} : { picUrl }),
    };
  });
  return {
    msgtype: 'feedCard',
    body: '',
    links,
    buttons: [],
    at,
    keywordText: keywordsOf(...links.map((l) => l.title)),
  };
}

/** `at` is optional and forgiving: numbers become strings, `"true"`/`1` count as true. */
function readAt(value: unknown): DingTalkMessage['at'] {
  if (!isRecord(value)) return { all: false, userIds: [], mobiles: [] };
  const all = value['isAtAll'];
  return {
    all: all === true || all === 1 || all === 'true' || all === '1',
    userIds: readIdList(value['atUserIds']),
    mobiles: readIdList(value['atMobiles']),
  };
}

function readIdList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const ids = value
    .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
    .map((v) => String(v).trim())
    .filter((v) => v !== '');
  return [...new Set(ids)];
}

function requireText(record: Record<string, unknown>, msgtype: string, key: string, at = key): string {
  const value = record[key];
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '') throw missing(msgtype, at);
  return text;
}

function requireUrl(
  record: Record<string, unknown>,
  msgtype: string,
  keys: readonly string[],
  at = keys[0] ?? 'url',
): string {
  const url = readUrl(record, keys);
  if (url === undefined) throw missing(msgtype, at);
  return url;
}

/** The first non-empty spelling, with DingTalk's in-app link wrapper removed. */
function readUrl(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return unwrapDingTalkLink(value.trim());
  }
  return undefined;
}

/**
 * `dingtalk://dingtalkclient/page/link?url=<encoded>&pc_slide=false` opens a page inside the
 * DingTalk client (DingtalkChatbot does this); anywhere else only the inner URL works.
 */
export function unwrapDingTalkLink(url: string): string {
  if (!/^dingtalk:\/\/dingtalkclient\/page\/link\?/i.test(url)) return url;
  try {
    const inner = new URL(url).searchParams.get('url');
    return inner !== null && inner.trim() !== '' ? inner.trim() : url;
  } catch {
    return url;
  }
}

/**
 * DingtalkChatbot (the common Python client) wraps every markdown link, in `markdown` and
 * `actionCard` text too, as `[t](dingtalk://dingtalkclient/page/link?url=…&pc_slide=false)`: the
 * targets are unwrapped like the single-URL fields, or they would reach other robots dead.
 */
export function unwrapDingTalkLinksIn(markdown: string): string {
  return markdown.replace(
    /(\]\()(dingtalk:\/\/dingtalkclient\/page\/link\?[^)\s]*)/gi,
    (_m, open: string, url: string) => `${open}${unwrapDingTalkLink(url)}`,
  );
}

/** Keyword rules look at what people read: link targets (and bare URLs) do not count (README). */
function keywordsOf(...texts: string[]): string[] {
  return texts.map(withoutLinkTargets);
}

/** DingTalk names the parameter as `markdown --》 title` (dingtalk-resp-400402-missing-markdown-title.json). */
function missing(msgtype: string, field: string): HookmuxError {
  return new HookmuxError('HM_ERR_SRC_MALFORMED', `the DingTalk ${msgtype} message has no ${field}`, {
    hint: `fill ${msgtype}.${field} (see the DingTalk custom robot message formats)`,
    at: `${msgtype} --》 ${field}`,
  });
}

function badJson(message: string): HookmuxError {
  return new HookmuxError('HM_ERR_HTTP_BAD_JSON', message, {
    hint: 'post one DingTalk robot message as a JSON object, UTF-8, Content-Type: application/json',
    at: 'json',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
