import { escapeForDialect, sanitizeRobotMarkdown } from '@hookmux/core';

import type { FeishuSegment } from './feishu-message-data.js';

/** Feishu's text colours → the three WeCom markdown knows; the rest lose their colour, not their text. */
const weComColours: Readonly<Record<string, string>> = {
  green: 'info',
  turquoise: 'info',
  wathet: 'info',
  red: 'warning',
  orange: 'warning',
  carmine: 'warning',
  yellow: 'warning',
  violet: 'warning',
  grey: 'comment',
  gray: 'comment',
};

const atTag = /<at\s+([^>]*)>([\s\S]*?)<\/at>/gi;
const atAttribute = /\b(id|user_id|open_id|email)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

/**
 * Splits Feishu text (a `text` message, or card `lark_md` / `markdown`) into text and mention
 * segments. Both mention spellings are read: `<at user_id="ou_x">Tom</at>` (text messages) and
 * `<at id=ou_x></at>` (cards); `all` is everyone.
 */
export function splitFeishuMentions(
  source: string,
  toSegment: (piece: string) => FeishuSegment | undefined,
): FeishuSegment[] {
  const segments: FeishuSegment[] = [];
  let last = 0;
  for (const match of source.matchAll(atTag)) {
    const before = toSegment(source.slice(last, match.index));
    if (before !== undefined) segments.push(before);
    last = match.index + match[0].length;
    const attribute = atAttribute.exec(match[1] ?? '');
    const id = (attribute?.[2] ?? attribute?.[3] ?? attribute?.[4] ?? '').trim();
    const name = (match[2] ?? '').trim();
    if (id === 'all' || id === '@all') segments.push({ kind: 'at', all: true, name: name || '所有人' });
    else if (attribute?.[1]?.toLowerCase() === 'email' || id === '')
      segments.push({ kind: 'at', all: false, name: name || id || '?' });
    else segments.push({ kind: 'at', all: false, login: id, name: name || id });
  }
  const rest = toSegment(source.slice(last));
  if (rest !== undefined) segments.push(rest);
  return segments;
}

/** A plain-text piece (text messages, post `text` tags): shown as written in both formats. */
export function toPlainSegment(piece: string): FeishuSegment | undefined {
  return piece === ''
    ? undefined
    : { kind: 'text', text: piece, markdown: escapeForDialect(piece, 'markdown') };
}

/** A card `markdown` / `lark_md` piece: its markdown in WeCom's subset, and a plain version. */
export function toLarkMarkdownSegment(piece: string): FeishuSegment | undefined {
  if (piece === '') return undefined;
  const converted = convertLarkMarkdown(piece);
  return { kind: 'text', text: stripLarkMarkdown(converted), markdown: sanitizeRobotMarkdown(converted) };
}

/**
 * Feishu card markdown → the WeCom markdown v1 subset: `<font color>` mapped to info / warning /
 * comment, `<br>` to a line break, strike-through and Feishu-only tags dropped (their text kept).
 * Bold, links, inline code, headings and quotes mean the same in both.
 */
export function convertLarkMarkdown(source: string): string {
  return source
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(
      /<font\s+color\s*=\s*["']?([\w-]+)["']?\s*>([\s\S]*?)<\/font>/gi,
      (_all, colour: string, inner: string) => {
        const mapped = weComColours[colour.toLowerCase()];
        return mapped === undefined ? inner : `<font color="${mapped}">${inner}</font>`;
      },
    )
    .replace(/~~([^~\n]+)~~/g, '$1')
    .replace(/<link\s+[^>]*url\s*=\s*["']?([^"'\s>]+)["']?[^>]*>([\s\S]*?)<\/link>/gi, '[$2]($1)')
    .replace(/<\/?(?:text_tag|local_datetime|person|number_tag|raw)[^>]*>/gi, '');
}

/** WeCom markdown → plain text, for `.txt` templates. */
export function stripLarkMarkdown(markdown: string): string {
  return markdown
    .replace(/<font\b[^>]*>([\s\S]*?)<\/font>/gi, '$1')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?)/gm, '');
}

/** `[title](url)` links inside markdown, in order. */
export function findMarkdownLinks(markdown: string): { title: string; url: string }[] {
  return [...markdown.matchAll(/(?<!!)\[([^\]\n]*)\]\((https?:\/\/[^)\s]+)\)/g)].map((m) => ({
    title: m[1] ?? '',
    url: m[2] ?? '',
  }));
}

/** Bare `http(s)://` URLs in plain text, in order. */
export function findBareUrls(text: string): { title: string; url: string }[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"'()，。、；！？）】]+/g)].map((m) => ({
    title: m[0],
    url: m[0],
  }));
}
