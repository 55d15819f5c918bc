import type { Dialect, Message } from '@hookmux/core';

import type { DingTalkFormat } from './dingtalk-sink-settings.js';

/**
 * DingTalk documents no size limit for webhook messages (robots.md §2.4); its server refuses
 * very long ones (460101 "message too long"). hookmux cuts `text` and markdown `text` at 20 000
 * UTF-8 bytes, and titles at 128, on a character boundary with a visible marker.
 */
export const dingTalkLimits = { text: 20_000, title: 128, feedCardLinks: 10, buttons: 5 } as const;

export interface DingTalkAt {
  atMobiles?: string[];
  atUserIds?: string[];
  isAtAll?: boolean;
}
export interface DingTalkButtonBody {
  title: string;
  actionURL: string;
}
export interface DingTalkFeedLink {
  title: string;
  messageURL: string;
  picURL: string;
}
export type DingTalkBody =
  | { msgtype: 'text'; text: { content: string }; at?: DingTalkAt }
  | { msgtype: 'markdown'; markdown: { title: string; text: string }; at?: DingTalkAt }
  | { msgtype: 'link'; link: { title: string; text: string; messageUrl: string; picUrl: string } }
  | {
      msgtype: 'actionCard';
      actionCard: {
        title: string;
        text: string;
        btnOrientation: '0' | '1';
        singleTitle?: string;
        singleURL?: string;
        btns?: DingTalkButtonBody[];
      };
      at?: DingTalkAt;
    }
  | { msgtype: 'feedCard'; feedCard: { links: DingTalkFeedLink[] } };

/** `text` is plain; every other message type carries (or falls back to) DingTalk markdown. */
export function dingTalkDialect(format: DingTalkFormat): Dialect {
  return format === 'text' ? 'dingtalk-text' : 'dingtalk-markdown';
}

export interface BuildDingTalkBodyOptions {
  readonly format: DingTalkFormat;
  readonly mentions: boolean;
}

/**
 * The JSON DingTalk expects, shaped like its official examples (dingtalk-req-*.json). The
 * templates are written in WeCom's markdown; `toDingTalkMarkdown` translates. Structured formats
 * take their fields from front matter (`title`, `description`, `url`, `picurl`, `buttons`,
 * `links`); without a link to point at, they fall back to markdown rather than be refused.
 */
export function buildDingTalkBody(message: Message, options: BuildDingTalkBodyOptions): DingTalkBody {
  const title = cutBytes(readString(message.fields['title']) ?? message.summary, dingTalkLimits.title);
  const url = readString(message.fields['url']) ?? message.url;
  switch (options.format) {
    case 'text':
      return withAt(
        { msgtype: 'text', text: { content: buildContent(message, options, 'text') } },
        message,
        options,
      );
    case 'link':
      if (url === undefined) break;
      return {
        msgtype: 'link',
        link: {
          title,
          text: cutBytes(
            readString(message.fields['description']) ?? toDingTalkPlain(message.text),
            dingTalkLimits.text,
          ),
          messageUrl: url,
          picUrl: readString(message.fields['picurl']) ?? '',
        },
      };
    case 'actionCard': {
      const buttons = readButtons(message.fields['buttons']);
      if (buttons.length === 0 && url === undefined) break;
      const card = { title, text: buildContent(message, options, 'markdown'), btnOrientation: '0' as const };
      return withAt(
        {
          msgtype: 'actionCard',
          actionCard:
            buttons.length === 0
              ? { ...card, singleTitle: '查看详情', singleURL: url ?? '' }
              : { ...card, btns: buttons.slice(0, dingTalkLimits.buttons) },
        },
        message,
        options,
      );
    }
    case 'feedCard': {
      const links = readFeedLinks(message.fields['links']);
      if (links.length === 0 && url !== undefined)
        links.push({ title, messageURL: url, picURL: readString(message.fields['picurl']) ?? '' });
      if (links.length === 0) break;
      return { msgtype: 'feedCard', feedCard: { links: links.slice(0, dingTalkLimits.feedCardLinks) } };
    }
    case 'markdown':
      break;
  }
  return withAt(
    { msgtype: 'markdown', markdown: { title, text: buildContent(message, options, 'markdown') } },
    message,
    options,
  );
}

function buildContent(
  message: Message,
  options: BuildDingTalkBodyOptions,
  style: 'text' | 'markdown',
): string {
  // A `txt` template wrote plain text: stripping "markdown" from it would eat what a user typed.
  const translated =
    style === 'markdown'
      ? toDingTalkMarkdown(message.text)
      : message.format === 'txt'
        ? message.text.trim()
        : toDingTalkPlain(message.text);
  // DingTalk highlights a mention only when `@id` is also in the text (robots.md §2.1).
  const anchors = options.mentions ? listAnchors(message).filter((a) => !translated.includes(a)) : [];
  const marker =
    style === 'markdown' && message.url !== undefined && /^https?:\/\/[^\s<>()"]+$/i.test(message.url)
      ? `\n\n…（内容过长，[查看全文](${message.url})）`
      : '\n…（内容过长）';
  const suffix = anchors.length > 0 ? `\n${anchors.join(' ')}` : '';
  return cutBytes(translated, dingTalkLimits.text - byteLength(suffix), marker) + suffix;
}

function withAt<T extends DingTalkBody & { at?: DingTalkAt }>(
  body: T,
  message: Message,
  options: BuildDingTalkBodyOptions,
): T {
  if (!options.mentions) return body;
  const { userIds, mobiles, all } = message.mentions;
  const at: DingTalkAt = {};
  if (mobiles.length > 0) at.atMobiles = unique(mobiles);
  if (userIds.length > 0) at.atUserIds = unique(userIds);
  if (all) at.isAtAll = true;
  return Object.keys(at).length === 0 ? body : { ...body, at };
}

function listAnchors(message: Message): string[] {
  return unique([...message.mentions.userIds, ...message.mentions.mobiles]).map((id) => `@${id}`);
}

/**
 * WeCom-flavoured markdown (what the templates produce) → DingTalk markdown: `<@id>` → `@id`,
 * WeCom's `<font color="info|comment|warning">` → its text (DingTalk does not document font
 * colours, robots.md §2.1), and line breaks made hard (two trailing spaces), since DingTalk
 * joins single newlines into one paragraph.
 */
export function toDingTalkMarkdown(text: string): string {
  return text
    .replace(/<@([^>\s]+)>/g, '@$1')
    .replace(/<font\b[^>]*>([\s\S]*?)<\/font>/gi, '$1')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('  \n')
    .trim();
}

/** Plain text for `text` and `link` bodies: mention tags and font tags removed, links written out. */
export function toDingTalkPlain(text: string): string {
  return text
    .replace(/<@([^>\s]+)>/g, '@$1')
    .replace(/<font\b[^>]*>([\s\S]*?)<\/font>/gi, '$1')
    .replace(/!\[[^\]]*\]\(([^)\s]+)\)/g, '$1')
    .replace(/\[((?:[^[\]\n]|\[[^[\]\n]*\])+)\]\(([^)\s]+)\)/g, (_m, label: string, href: string) =>
      label === href ? href : `${label} ${href}`,
    )
    .replace(/\*\*((?:(?!\*\*)[^\n])+)\*\*/g, '$1')
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?)/gm, '')
    .trim();
}

function readButtons(value: unknown): DingTalkButtonBody[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown): DingTalkButtonBody[] => {
    if (!isRecord(item)) return [];
    const title = readString(item['title']);
    const url = readString(item['url']) ?? readString(item['actionURL']);
    return title === undefined || url === undefined
      ? []
      : [{ title: cutBytes(title, dingTalkLimits.title), actionURL: url }];
  });
}

function readFeedLinks(value: unknown): DingTalkFeedLink[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown): DingTalkFeedLink[] => {
    if (!isRecord(item)) return [];
    const title = readString(item['title']);
    const url = readString(item['url']) ?? readString(item['messageURL']);
    const pic = readString(item['picurl']) ?? readString(item['picURL']) ?? '';
    return title === undefined || url === undefined
      ? []
      : [{ title: cutBytes(title, dingTalkLimits.title), messageURL: url, picURL: pic }];
  });
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** At most `maxBytes` UTF-8 bytes, cut between code points, with `marker` when cut. */
export function cutBytes(text: string, maxBytes: number, marker = '…'): string {
  if (byteLength(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - byteLength(marker));
  let used = 0;
  let out = '';
  for (const char of text) {
    const size = byteLength(char);
    if (used + size > budget) break;
    used += size;
    out += char;
  }
  return `${out}${marker}`;
}

function readString(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}
