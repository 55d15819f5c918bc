import type { Dialect, Message } from '@hookmux/core';

import { toFeishuPostParagraphs, toLarkMarkdown, type FeishuPostElement } from './convert-wecom-markdown.js';
import type { FeishuFormat } from './feishu-sink-settings.js';
import { signFeishuRequest } from './sign-feishu-request.js';

/**
 * Feishu refuses request bodies over 20 KB (robots.md §3.4). The sink stays a little under
 * (Apprise pads too), so that a gateway adding a byte never turns a message into a 9499.
 */
export const feishuBodyBudgetBytes = 20_000;
/** Header and post titles are single lines: cap them so the text keeps the budget. */
const maxTitleChars = 200;
const maxButtons = 5;
export const truncationMarker = '…';

export interface FeishuTextBody {
  readonly msg_type: 'text';
  readonly content: { readonly text: string };
}
export interface FeishuPostBody {
  readonly msg_type: 'post';
  readonly content: {
    readonly post: { readonly zh_cn: { readonly title?: string; readonly content: FeishuPostElement[][] } };
  };
}
export interface FeishuCardBody {
  readonly msg_type: 'interactive';
  readonly card: Record<string, unknown>;
}
export type FeishuBody = (FeishuTextBody | FeishuPostBody | FeishuCardBody) & {
  readonly timestamp?: string;
  readonly sign?: string;
};

/** What each message type renders: text (only `<at>` tags), post (converted to tags), card lark_md. */
export function feishuDialect(format: FeishuFormat): Dialect {
  return format === 'text' ? 'feishu-text' : format === 'post' ? 'feishu-post' : 'feishu-lark-md';
}

export interface BuildFeishuBodyOptions {
  readonly format: FeishuFormat;
  readonly mentions: boolean;
  readonly secret: string | undefined;
  readonly cardColor: string;
  /** Epoch ms, for the signature. */
  readonly now: number;
}

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * The JSON Feishu expects for `message` in the configured format, signed when there is a secret,
 * and never over the body budget: the text is cut (on a character boundary, before a link or
 * mention it would break) with `…` and a link to the full thing, until the whole JSON fits.
 */
export function buildFeishuBody(message: Message, options: BuildFeishuBodyOptions): FeishuBody {
  const signature = options.secret === undefined ? {} : signFeishuRequest(options.secret, options.now);
  const text = withAllMention(message, options);
  const build = (body: string): FeishuBody => ({ ...signature, ...shape(body, message, options) });
  const full = build(text);
  if (byteLength(JSON.stringify(full)) <= feishuBodyBudgetBytes) return full;

  const tails = buildTails(message, options.format);
  const boundaries = findCodePointBoundaries(text);
  for (const tail of tails) {
    // The largest prefix whose body fits: the body grows with the prefix, so bisect.
    let low = 0;
    let high = boundaries.length - 1;
    let best: FeishuBody | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const candidate = build(cutBefore(text, boundaries[mid] ?? 0) + tail);
      if (byteLength(JSON.stringify(candidate)) <= feishuBodyBudgetBytes) {
        best = candidate;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (best !== undefined) return best;
  }
  return build(truncationMarker);
}

function shape(
  text: string,
  message: Message,
  options: BuildFeishuBodyOptions,
): FeishuTextBody | FeishuPostBody | FeishuCardBody {
  switch (options.format) {
    case 'text':
      return { msg_type: 'text', content: { text } };
    case 'post': {
      const title = readTitle(message);
      const paragraphs = toFeishuPostParagraphs(dropTitleLine(text, title));
      return {
        msg_type: 'post',
        content: { post: { zh_cn: { ...(title === undefined ? {} : { title }), content: paragraphs } } },
      };
    }
    case 'interactive':
      return { msg_type: 'interactive', card: buildCard(text, message, options) };
  }
}

/** A schema 2.0 card: header from the title, the text as one markdown element, then link buttons. */
function buildCard(text: string, message: Message, options: BuildFeishuBodyOptions): Record<string, unknown> {
  const title = readTitle(message) ?? cutChars(message.summary, maxTitleChars);
  const elements: Record<string, unknown>[] = [
    { tag: 'markdown', content: toLarkMarkdown(dropTitleLine(text, title)) },
  ];
  for (const button of readButtons(message)) {
    elements.push({
      tag: 'button',
      text: { tag: 'plain_text', content: button.title },
      type: 'default',
      behaviors: [{ type: 'open_url', default_url: button.url }],
    });
  }
  return {
    schema: '2.0',
    header: { title: { tag: 'plain_text', content: title }, template: options.cardColor },
    body: { elements },
  };
}

/** Front matter `buttons: [{title, url}]` (or `text`), else one button to the message's link. */
function readButtons(message: Message): { title: string; url: string }[] {
  const listed = message.fields['buttons'];
  const buttons = (Array.isArray(listed) ? listed : [])
    .map((b: unknown) => {
      if (typeof b !== 'object' || b === null) return undefined;
      const record = b as Record<string, unknown>;
      const url = readString(record['url']);
      const title = readString(record['title']) ?? readString(record['text']);
      return url === undefined ? undefined : { title: cutChars(title ?? '查看详情', 40), url };
    })
    .filter((b): b is { title: string; url: string } => b !== undefined);
  if (buttons.length === 0 && message.url !== undefined)
    buttons.push({ title: '查看详情', url: message.url });
  return buttons.slice(0, maxButtons);
}

/**
 * `{{mentionAll}}` writes `@all`; Feishu mentions everyone with its own tag. The first `@all` is
 * replaced, or the tag is appended when the template dropped the text.
 */
function withAllMention(message: Message, options: BuildFeishuBodyOptions): string {
  if (!message.mentions.all || !options.mentions) return message.text;
  const tag =
    options.format === 'interactive'
      ? '<at id=all></at>'
      : options.format === 'text'
        ? '<at user_id="all">所有人</at>'
        : '<at user_id="all"></at>';
  const replaced = message.text.replace(/(^|[^\w@])@all\b/, `$1${tag}`);
  return replaced === message.text ? `${message.text}\n${tag}` : replaced;
}

function readTitle(message: Message): string | undefined {
  const title = readString(message.fields['title']);
  return title === undefined ? undefined : cutChars(title.replace(/\s+/g, ' ').trim(), maxTitleChars);
}

/** Built-in templates may open with the title as a bold line; the header or post title already shows it. */
function dropTitleLine(text: string, title: string | undefined): string {
  if (title === undefined) return text;
  const [first, ...rest] = text.split('\n');
  const plain = (first ?? '').replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();
  return plain === title.trim() ? rest.join('\n').replace(/^\n+/, '') : text;
}

function buildTails(message: Message, format: FeishuFormat): string[] {
  const tails: string[] = [];
  if (message.url !== undefined && /^https?:\/\/[^\s<>"]+$/i.test(message.url)) {
    tails.push(
      format === 'text'
        ? `${truncationMarker}\n全文: ${message.url}`
        : `${truncationMarker}\n[查看全文](${message.url.replace(/[()\s]/g, encodeURIComponent)})`,
    );
  }
  tails.push(truncationMarker);
  return tails;
}

/** Spans a cut must not split: links, mentions, colour spans, bold, inline code, bare URLs. */
const protectedSpans = [
  /!?\[[^\]\n]*\]\([^)\n]*\)/g,
  /<at\b[^>]*>[^<]*<\/at>/g,
  /<font\b[^>]*>[\s\S]*?<\/font>/gi,
  /\*\*[^*\n]+?\*\*/g,
  /`[^`\n]+`/g,
  /https?:\/\/[^\s<>()]+/g,
];

/** `text` cut at `cut`, moved back out of any protected span, without trailing blanks. */
function cutBefore(text: string, cut: number): string {
  let position = snapToGrapheme(text, cut);
  const head = text.slice(0, Math.min(text.length, cut + 4096));
  let moved = true;
  while (moved) {
    moved = false;
    for (const pattern of protectedSpans) {
      for (const match of head.matchAll(pattern)) {
        const end = match.index + match[0].length;
        if (match.index < position && position < end) {
          position = match.index;
          moved = true;
        }
      }
    }
  }
  // An opener whose closer was never written would show as junk: drop it too.
  const kept = text.slice(0, position);
  const dangling = /(?:<(?:at|font)\b[^>]*$|!?\[[^\]\n]*(?:\]\([^)\n]*)?$)/i.exec(kept);
  return (dangling === null ? kept : kept.slice(0, dangling.index)).trimEnd();
}

/** Every index that does not split a surrogate pair. */
function findCodePointBoundaries(text: string): number[] {
  const boundaries = [0];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) i++;
    boundaries.push(i + 1);
  }
  return boundaries;
}

/**
 * The last grapheme boundary at or before `cut`, so an emoji sequence or a combining mark is
 * never split. Segmenting a small window around the cut: segmenting a whole long text is slow.
 */
function snapToGrapheme(text: string, cut: number): number {
  if (cut <= 0 || cut >= text.length) return cut;
  const start = Math.max(0, cut - 64);
  let best = start;
  for (const { index } of segmenter.segment(text.slice(start, Math.min(text.length, cut + 64)))) {
    if (start + index > cut) break;
    best = start + index;
  }
  return best;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function cutChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}${truncationMarker}`;
}

function readString(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
