import type { Dialect, Mentions, Message } from '@hookmux/core';

import { truncateUtf8Markdown } from './truncate-utf8-markdown.js';
import type { WeComFormat } from './wecom-settings.js';

/** WeCom's documented limits, in UTF-8 bytes (robots.md §1.1, §1.4). */
export const weComLimits = {
  text: 2048,
  markdown: 4096,
  newsTitle: 128,
  newsDescription: 512,
  newsArticles: 8,
  /** Not enforced by WeCom (its card sizes are recommendations); kept short so cards stay readable. */
  cardTitle: 128,
  cardDescription: 256,
  cardSubTitle: 512,
} as const;

export interface WeComTextBody {
  readonly msgtype: 'text';
  readonly text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] };
}
export interface WeComMarkdownBody {
  readonly msgtype: 'markdown';
  readonly markdown: { content: string };
}
export interface WeComMarkdownV2Body {
  readonly msgtype: 'markdown_v2';
  readonly markdown_v2: { content: string };
}
export interface WeComArticle {
  title: string;
  description?: string;
  url: string;
  picurl?: string;
}
export interface WeComNewsBody {
  readonly msgtype: 'news';
  readonly news: { articles: WeComArticle[] };
}
export interface WeComTemplateCardBody {
  readonly msgtype: 'template_card';
  readonly template_card: Record<string, unknown>;
}
export type WeComBody =
  WeComTextBody | WeComMarkdownBody | WeComMarkdownV2Body | WeComNewsBody | WeComTemplateCardBody;

/**
 * The markup each message type renders, which the values printed by templates are escaped for.
 * `news` and `template_card` are built from markdown templates and stripped to plain text here.
 */
export function weComDialect(format: WeComFormat): Dialect {
  return format === 'text' ? 'wecom-text' : format === 'markdown_v2' ? 'wecom-markdown-v2' : 'wecom-markdown';
}

export interface BuildWeComBodyOptions {
  readonly format: WeComFormat;
  /** `mentions: false` on the sink: no mention lists. */
  readonly mentions: boolean;
}

/**
 * The JSON WeCom expects for `message` in the configured format, already within WeCom's byte
 * limits. Shapes follow the official examples (`shared/fixtures/robots/wecom-req-*.json`).
 */
export function buildWeComBody(message: Message, options: BuildWeComBodyOptions): WeComBody {
  switch (options.format) {
    case 'text':
      return buildTextBody(message, options.mentions);
    case 'markdown':
      return { msgtype: 'markdown', markdown: { content: cutMarkdown(message) } };
    case 'markdown_v2':
      return { msgtype: 'markdown_v2', markdown_v2: { content: cutMarkdown(message) } };
    case 'news':
      return { msgtype: 'news', news: { articles: buildArticles(message) } };
    case 'template_card':
      return { msgtype: 'template_card', template_card: buildTextNoticeCard(message) };
  }
}

function buildTextBody(message: Message, mentions: boolean): WeComTextBody {
  const content = truncateUtf8Markdown(message.text, weComLimits.text, { style: 'text', url: message.url });
  const text: WeComTextBody['text'] = { content };
  if (mentions) {
    const { userIds, mobiles } = listMentions(message.mentions);
    if (userIds.length > 0) text.mentioned_list = userIds;
    if (mobiles.length > 0) text.mentioned_mobile_list = mobiles;
  }
  return { msgtype: 'text', text };
}

function listMentions(mentions: Mentions): { userIds: string[]; mobiles: string[] } {
  const userIds = unique(mentions.userIds);
  // One `@all` is enough: WeCom notifies everyone once, whichever list carries it.
  if (mentions.all) userIds.push('@all');
  return { userIds, mobiles: unique(mentions.mobiles) };
}

function cutMarkdown(message: Message): string {
  return truncateUtf8Markdown(message.text, weComLimits.markdown, { style: 'markdown', url: message.url });
}

function buildArticles(message: Message): WeComArticle[] {
  const listed = message.fields['articles'];
  const sources: Record<string, unknown>[] = Array.isArray(listed) ? listed.filter(isRecord) : [];
  if (sources.length === 0) {
    sources.push({
      title: message.fields['title'] ?? message.summary,
      description: message.fields['description'] ?? stripMarkdown(message.text),
      url: message.fields['url'],
      picurl: message.fields['picurl'],
    });
  }
  return sources.slice(0, weComLimits.newsArticles).map((source) => buildArticle(source, message));
}

function buildArticle(source: Record<string, unknown>, message: Message): WeComArticle {
  const description = readString(source['description']);
  const picurl = readString(source['picurl']);
  // Keys in WeCom's order, so that dry-run output reads like the docs.
  return {
    title: cutPlain(readString(source['title']) ?? message.summary, weComLimits.newsTitle),
    ...(description === undefined ? {} : { description: cutPlain(description, weComLimits.newsDescription) }),
    url: readString(source['url']) ?? message.url ?? '',
    ...(picurl === undefined ? {} : { picurl }),
  };
}

/**
 * A `text_notice` card. A template can give the whole card under `fields.card` (WeCom's own
 * keys); otherwise it is built from `title`, `description`, `url` and the rendered text. Either
 * way it gets the `card_action` WeCom requires, pointing at the message's link.
 */
function buildTextNoticeCard(message: Message): Record<string, unknown> {
  const url = readString(message.fields['url']) ?? message.url;
  const given = message.fields['card'];
  if (isRecord(given)) {
    const card: Record<string, unknown> = { card_type: 'text_notice', ...given };
    if (!isRecord(card['card_action']) && url !== undefined) card['card_action'] = { type: 1, url };
    return card;
  }
  const title = readString(message.fields['title']) ?? message.summary;
  const description = readString(message.fields['description']);
  const subTitle = stripMarkdown(message.text);
  const card: Record<string, unknown> = {
    card_type: 'text_notice',
    main_title: {
      title: cutPlain(title, weComLimits.cardTitle),
      ...(description === undefined ? {} : { desc: cutPlain(description, weComLimits.cardDescription) }),
    },
  };
  if (subTitle !== '') card['sub_title_text'] = cutPlain(subTitle, weComLimits.cardSubTitle);
  if (url !== undefined) {
    card['jump_list'] = [{ type: 1, url, title: '查看详情' }];
    card['card_action'] = { type: 1, url };
  }
  return card;
}

function cutPlain(text: string, maxBytes: number): string {
  return truncateUtf8Markdown(text, maxBytes, { style: 'text' });
}

/** News descriptions and card text are plain: markdown syntax there shows as-is. */
export function stripMarkdown(text: string): string {
  return (
    text
      .replace(/<font\b[^>]*>([\s\S]*?)<\/font>/gi, '$1')
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      // A label may hold brackets of escaped payload text (`[[a]\u200B(b) …](url)`).
      .replace(/\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]\([^)\s]*\)/g, '$1')
      .replace(/\*\*((?:(?!\*\*)[^\n])+)\*\*/g, '$1')
      .replace(/`([^`]+)`/g, '$1')
      .replace(/^\s{0,3}(?:#{1,6}\s+|>+\s?)/gm, '')
      .trim()
  );
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
