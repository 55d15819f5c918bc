import { escapeForDialect, HookmuxError, toHttpUrl, toMarkdownHref } from '@hookmux/core';

import {
  findBareUrls,
  findMarkdownLinks,
  splitFeishuMentions,
  stripLarkMarkdown,
  toLarkMarkdownSegment,
  toPlainSegment,
} from './convert-lark-markdown.js';
import {
  feishuMsgTypes,
  type FeishuLink,
  type FeishuMentionedPerson,
  type FeishuMessageData,
  type FeishuMsgType,
  type FeishuSegment,
} from './feishu-message-data.js';

type JsonRecord = Readonly<Record<string, unknown>>;

/** Locales read first when a post has several: the product is Chinese-first (robots.md §3.1: any locale). */
const preferredLocales = ['zh_cn', 'en_us', 'ja_jp'];

interface Parts {
  title?: string | undefined;
  paragraphs: FeishuSegment[][];
  buttons: FeishuLink[];
  imageKey?: string;
  shareChatId?: string;
}

/**
 * Reads a Feishu custom-bot message (robots.md §3.1) into the neutral view templates use. Throws
 * `HM_ERR_SRC_UNSUPPORTED_MESSAGE` (Feishu 19002) for an unknown `msg_type`, and
 * `HM_ERR_SRC_MALFORMED` (9499) when a known type lacks what Feishu requires.
 */
export interface FeishuMessageOptions {
  /** The robot's `allowAtAll` (default true, as Feishu): false turns `<at user_id="all">` into text. */
  readonly allowAtAll?: boolean;
}

export function normalizeFeishuMessage(
  body: JsonRecord,
  robot: string,
  options: FeishuMessageOptions = {},
): FeishuMessageData {
  const msgType = body['msg_type'];
  if (typeof msgType !== 'string' || !(feishuMsgTypes as readonly string[]).includes(msgType)) {
    throw new HookmuxError(
      'HM_ERR_SRC_UNSUPPORTED_MESSAGE',
      typeof msgType === 'string'
        ? `Feishu msg_type "${msgType.slice(0, 40)}" is not supported`
        : 'the Feishu message has no msg_type',
      { hint: `send one of ${feishuMsgTypes.join(', ')}`, at: 'msg_type' },
    );
  }
  const parts = readParts(msgType as FeishuMsgType, body);
  if (options.allowAtAll === false) dropAtAll(parts);
  return buildData(msgType as FeishuMsgType, parts, robot);
}

function readParts(msgType: FeishuMsgType, body: JsonRecord): Parts {
  const content = body['content'];
  switch (msgType) {
    case 'text': {
      const text = isRecord(content) ? content['text'] : undefined;
      if (typeof text !== 'string' || text.trim() === '')
        throw malformed('content.text', 'a text message needs content.text');
      return { paragraphs: [splitFeishuMentions(text, toPlainSegment)], buttons: [] };
    }
    case 'post':
      return readPost(content);
    case 'interactive':
      return readCard(body);
    case 'image': {
      const imageKey = isRecord(content) ? content['image_key'] : undefined;
      if (typeof imageKey !== 'string' || imageKey === '')
        throw malformed('content.image_key', 'an image message needs content.image_key');
      // The picture itself needs Feishu app credentials: templates say so instead.
      return { paragraphs: [], buttons: [], imageKey };
    }
    case 'share_chat': {
      const chatId = isRecord(content)
        ? (content['share_chat_id'] ?? content['share_open_chat_id'])
        : undefined;
      if (typeof chatId !== 'string' || chatId === '')
        throw malformed('content.share_chat_id', 'a share_chat message needs content.share_chat_id');
      return { paragraphs: [], buttons: [], shareChatId: chatId };
    }
  }
}

function readPost(content: unknown): Parts {
  const post = isRecord(content) ? content['post'] : undefined;
  if (!isRecord(post)) throw malformed('content.post', 'a post message needs content.post with a locale');
  const locales = Object.keys(post).filter((k) => isRecord(post[k]));
  const locale = preferredLocales.find((l) => locales.includes(l)) ?? locales[0];
  const chosen = locale === undefined ? undefined : post[locale];
  if (!isRecord(chosen))
    throw malformed('content.post', 'a post message needs at least one locale (zh_cn, en_us, …)');
  const rows = chosen['content'];
  if (rows !== undefined && !Array.isArray(rows))
    throw malformed(`content.post.${locale ?? ''}.content`, 'post content must be a list of paragraphs');
  const paragraphs = (rows ?? []).map((row: unknown) =>
    Array.isArray(row) ? row.flatMap(readPostElement) : [],
  );
  const title = readText(chosen['title']);
  if (title === undefined && paragraphs.every((p) => p.length === 0))
    throw malformed(`content.post.${locale ?? ''}`, 'the post has neither a title nor content');
  return { title, paragraphs, buttons: [] };
}

/** `@all` from a robot that may not use it: the mention shows as text and pings nobody. */
function dropAtAll(parts: Parts): void {
  parts.paragraphs = parts.paragraphs.map((paragraph) =>
    paragraph.map((segment): FeishuSegment => {
      if (segment.kind !== 'at' || !segment.all) return segment;
      const text = `@${segment.name}`;
      return { kind: 'text', text, markdown: escapeForDialect(text, 'markdown') };
    }),
  );
}

function readPostElement(element: unknown): FeishuSegment[] {
  if (!isRecord(element)) return [];
  const text = typeof element['text'] === 'string' ? element['text'] : '';
  const plain = (t: string): FeishuSegment[] =>
    t === '' ? [] : [{ kind: 'text', text: t, markdown: escapeForDialect(t, 'markdown') }];
  switch (element['tag']) {
    case 'text':
      return plain(text);
    case 'a': {
      const href = readText(element['href']);
      if (href === undefined) return plain(text);
      return [{ kind: 'link', text: text || href, url: href }];
    }
    case 'at': {
      const id = readText(element['user_id']) ?? readText(element['open_id']);
      const name = readText(element['user_name']);
      if (id === 'all') return [{ kind: 'at', all: true, name: name ?? '所有人' }];
      if (id === undefined) return name === undefined ? [] : [{ kind: 'at', all: false, name }];
      return [{ kind: 'at', all: false, login: id, name: name ?? id }];
    }
    case 'img': {
      const imageKey = readText(element['image_key']);
      return imageKey === undefined ? [] : [{ kind: 'image', imageKey }];
    }
    case 'code_block':
    case 'md': {
      const source = text || (typeof element['content'] === 'string' ? element['content'] : '');
      return splitFeishuMentions(source, toLarkMarkdownSegment);
    }
    default:
      // Newer tags (emotion, hr, media): keep what text they carry rather than refusing the post.
      return plain(text);
  }
}

/**
 * Cards, best effort (robots.md §5): schema 2.0 (`body.elements`) and v1 (`elements`,
 * `i18n_elements`), header title and subtitle, markdown / lark_md / plain text, notes, columns,
 * images, and buttons with a URL. Callback-only interactions have no meaning outside Feishu.
 */
function readCard(body: JsonRecord): Parts {
  const card = parseCard(body['card']);
  if (card === undefined)
    throw malformed('card', 'an interactive message needs a card object (top-level `card`)');
  const header = isRecord(card['header']) ? card['header'] : {};
  const title = readTextObject(header['title']);
  const subtitle = readTextObject(header['subtitle']);
  const cardBody = isRecord(card['body']) ? card['body'] : undefined;
  const i18n = isRecord(card['i18n_elements']) ? card['i18n_elements'] : undefined;
  const elements =
    (Array.isArray(cardBody?.['elements']) ? cardBody['elements'] : undefined) ??
    (Array.isArray(card['elements']) ? card['elements'] : undefined) ??
    pickLocale(i18n) ??
    [];
  const parts: Parts = { title: joinTitle(title, subtitle), paragraphs: [], buttons: [] };
  for (const element of elements) readCardElement(element, parts, 0);
  if (parts.title === undefined && parts.paragraphs.length === 0 && parts.buttons.length === 0)
    throw malformed('card', 'the card has no header and no elements');
  return parts;
}

function parseCard(card: unknown): JsonRecord | undefined {
  if (isRecord(card)) return card;
  // Some clients send the card as a JSON string.
  if (typeof card === 'string') {
    try {
      const parsed: unknown = JSON.parse(card);
      return isRecord(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const maxCardDepth = 8;

function readCardElement(element: unknown, parts: Parts, depth: number): void {
  if (!isRecord(element) || depth > maxCardDepth) return;
  const tag = element['tag'];
  switch (tag) {
    case 'markdown':
    case 'lark_md': {
      const content = readText(element['content']);
      if (content !== undefined) parts.paragraphs.push(splitFeishuMentions(content, toLarkMarkdownSegment));
      return;
    }
    case 'plain_text': {
      const content = readText(element['content']);
      if (content !== undefined) parts.paragraphs.push(splitFeishuMentions(content, toPlainSegment));
      return;
    }
    case 'div': {
      const text = element['text'];
      if (isRecord(text)) readCardElement(text, parts, depth + 1);
      if (Array.isArray(element['fields']))
        for (const field of element['fields'])
          if (isRecord(field)) readCardElement(field['text'], parts, depth + 1);
      if (isRecord(element['extra'])) readCardElement(element['extra'], parts, depth + 1);
      return;
    }
    case 'note':
      for (const item of asList(element['elements'])) readCardElement(item, parts, depth + 1);
      return;
    case 'img':
    case 'image': {
      const imageKey = readText(element['img_key']) ?? readText(element['image_key']);
      if (imageKey !== undefined) parts.paragraphs.push([{ kind: 'image', imageKey }]);
      return;
    }
    case 'button': {
      const url = readButtonUrl(element);
      const title = readTextObject(element['text']) ?? url;
      if (url !== undefined && title !== undefined) parts.buttons.push({ title, url });
      return;
    }
    case 'hr':
      return;
    default:
      // Containers (action, column_set, column, form, collapsible_panel, ...): read their children.
      for (const key of ['actions', 'columns', 'elements']) {
        for (const child of asList(element[key])) readCardElement(child, parts, depth + 1);
      }
  }
}

function readButtonUrl(button: JsonRecord): string | undefined {
  const direct =
    readText(button['url']) ??
    (isRecord(button['multi_url']) ? readText(button['multi_url']['url']) : undefined);
  if (direct !== undefined) return direct;
  for (const behavior of asList(button['behaviors'])) {
    if (isRecord(behavior) && behavior['type'] === 'open_url') {
      const url = readText(behavior['default_url']) ?? readText(behavior['pc_url']);
      if (url !== undefined) return url;
    }
  }
  return undefined;
}

function buildData(msgType: FeishuMsgType, parts: Parts, robot: string): FeishuMessageData {
  const paragraphs = parts.paragraphs.filter((p) => p.length > 0);
  const people = new Map<string, FeishuMentionedPerson>();
  let all = false;
  const links: FeishuLink[] = [];
  for (const segment of paragraphs.flat()) {
    if (segment.kind === 'at') {
      if (segment.all) all = true;
      else if (segment.login !== undefined && !people.has(segment.login))
        people.set(
          segment.login,
          segment.name === segment.login
            ? { login: segment.login }
            : { login: segment.login, name: segment.name },
        );
    } else if (segment.kind === 'link') {
      links.push({ title: segment.text, url: segment.url });
    } else if (segment.kind === 'text') {
      const marked = findMarkdownLinks(segment.markdown);
      links.push(...(marked.length > 0 ? marked : findBareUrls(segment.text)));
    }
  }
  const bodyMarkdown = paragraphs.map((p) => p.map(toMarkdown).join('')).join('\n');
  const bodyText = paragraphs.map((p) => p.map(toText).join('')).join('\n');
  const title = parts.title;
  const markdown = [
    title === undefined ? undefined : `**${title}**`,
    bodyMarkdown === '' ? undefined : bodyMarkdown,
    ...parts.buttons.map((b) => toMarkdownLink(b.title, b.url)),
  ].filter((l): l is string => l !== undefined);
  const text = [
    title,
    bodyText === '' ? undefined : bodyText,
    ...parts.buttons.map((b) => `${b.title}: ${b.url}`),
  ].filter((l): l is string => l !== undefined);
  return {
    msgType,
    ...(title === undefined ? {} : { title }),
    markdown: markdown.join('\n'),
    text: text.join('\n'),
    paragraphs,
    links,
    buttons: parts.buttons,
    mentions: { all, people: [...people.values()] },
    robot,
    ...(parts.imageKey === undefined ? {} : { imageKey: parts.imageKey }),
    ...(parts.shareChatId === undefined ? {} : { shareChatId: parts.shareChatId }),
  };
}

function toMarkdown(segment: FeishuSegment): string {
  switch (segment.kind) {
    case 'text':
      return segment.markdown;
    case 'link':
      return toMarkdownLink(segment.text, segment.url);
    case 'at':
      return escapeForDialect(segment.all ? '@all' : `@${segment.name}`, 'markdown');
    case 'image':
      return '[图片]';
  }
}

function toText(segment: FeishuSegment): string {
  switch (segment.kind) {
    case 'text':
      return segment.text;
    case 'link':
      return segment.text === segment.url ? segment.url : `${segment.text} (${segment.url})`;
    case 'at':
      return segment.all ? '@all' : `@${segment.name}`;
    case 'image':
      return '[图片]';
  }
}

/** A link in the whole-message markdown (printed raw): only to http(s), else its text. */
function toMarkdownLink(text: string, url: string): string {
  const label = escapeForDialect(text.replace(/\s+/g, ' ').trim(), 'markdown');
  const href = toHttpUrl(url);
  return href === undefined ? label : `[${label}](${toMarkdownHref(href)})`;
}

function joinTitle(title: string | undefined, subtitle: string | undefined): string | undefined {
  if (title === undefined) return subtitle;
  return subtitle === undefined ? title : `${title} · ${subtitle}`;
}

function pickLocale(i18n: JsonRecord | undefined): unknown[] | undefined {
  if (i18n === undefined) return undefined;
  const locale =
    preferredLocales.find((l) => Array.isArray(i18n[l])) ??
    Object.keys(i18n).find((k) => Array.isArray(i18n[k]));
  const list = locale === undefined ? undefined : i18n[locale];
  return Array.isArray(list) ? list : undefined;
}

/** `{tag: plain_text, content}` (or a bare string) → its text. */
function readTextObject(value: unknown): string | undefined {
  if (typeof value === 'string') return readText(value);
  if (!isRecord(value)) return undefined;
  const content = readText(value['content']);
  return content === undefined ? undefined : stripLarkMarkdown(content).trim() || undefined;
}

function readText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function malformed(at: string, message: string): HookmuxError {
  return new HookmuxError('HM_ERR_SRC_MALFORMED', message, {
    hint: 'compare the body with the message formats in the Feishu custom-bot guide',
    at,
  });
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
