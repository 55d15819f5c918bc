import { escapeForDialect, sanitizeRobotMarkdown, toHttpUrl, toMarkdownHref } from '@hookmux/core';

import type {
  DingTalkButton,
  DingTalkLink,
  DingTalkMessage,
  DingTalkMsgtype,
} from './read-dingtalk-message.js';

/** Someone a message mentions: a DingTalk userId (as `login`, in the `dingtalk` people namespace) or a phone. */
export type DingTalkMention = { readonly login: string } | { readonly mobile: string };

/**
 * What templates see of a DingTalk message (`data`, merged into the template context). Every
 * text is ready for the WeCom markdown v1 subset or plain text; README.md documents each field.
 */
export interface DingTalkMessageData {
  readonly msgtype: DingTalkMsgtype;
  readonly title?: string;
  /** The title, when the body does not already start with it: print it as a bold first line. */
  readonly headline?: string;
  /**
   * The body in the WeCom markdown v1 subset (images become links), mention anchors removed, safe
   * to print raw (`{{{content}}}`): the client's markup, without mention tags or non-http links.
   */
  readonly content: string;
  /** The body as plain text. */
  readonly contentText: string;
  /** The whole message as markdown (safe to print raw): headline, content, links and buttons as `[t](u)` lines. */
  readonly markdown: string;
  /** The whole message as plain text. */
  readonly text: string;
  readonly links: readonly DingTalkLink[];
  readonly buttons: readonly DingTalkButton[];
  /** The first link (link, feedCard, button, or a markdown link in the body). */
  readonly url?: string;
  /** The first picture (link `picUrl`, feedCard `picURL`). */
  readonly picUrl?: string;
  readonly mentions: { readonly all: boolean; readonly people: readonly DingTalkMention[] };
  /** The access token the message was posted with (the robot's name in routes). */
  readonly robot: string;
}

export interface DingTalkMessageOptions {
  /** The robot's `allowAtAll` (default true, as DingTalk): false drops `isAtAll`. */
  readonly allowAtAll?: boolean;
}

export function buildDingTalkMessageData(
  message: DingTalkMessage,
  robot: string,
  options: DingTalkMessageOptions = {},
): DingTalkMessageData {
  const anchors = [...message.at.userIds, ...message.at.mobiles];
  const body = removeMentionAnchors(message.body, anchors);
  const isMarkdown = message.msgtype === 'markdown' || message.msgtype === 'actionCard';
  const content = isMarkdown
    ? sanitizeRobotMarkdown(toWeComMarkdown(body))
    : escapeForDialect(tidyLines(body), 'markdown');
  const contentText = isMarkdown ? toPlainText(body) : tidyLines(body);
  const headline =
    message.title !== undefined && !startsWithTitle(contentText, message.title)
      ? message.title.trim()
      : undefined;
  const linkLines = listLinkLines(message);
  const url = toHttpUrl(message.links[0]?.url ?? message.buttons[0]?.url ?? findMarkdownLink(body));
  const picUrl = message.links.find((l) => l.picUrl !== undefined)?.picUrl;
  return {
    msgtype: message.msgtype,
    ...(message.title === undefined ? {} : { title: message.title.trim() }),
    ...(headline === undefined ? {} : { headline }),
    content,
    contentText,
    markdown: joinBlocks([
      headline === undefined ? '' : `**${escapeForDialect(oneLine(headline), 'markdown')}**`,
      content,
      linkLines.map((l) => toMarkdownLink(l.title, l.url)).join('\n'),
    ]),
    text: joinBlocks([headline ?? '', contentText, linkLines.map((l) => `${l.title}: ${l.url}`).join('\n')]),
    links: message.links,
    buttons: message.buttons,
    ...(url === undefined ? {} : { url }),
    ...(picUrl === undefined ? {} : { picUrl }),
    mentions: {
      all: message.at.all && options.allowAtAll !== false,
      people: [
        ...message.at.userIds.map((login) => ({ login })),
        ...message.at.mobiles.map((mobile) => ({ mobile })),
      ],
    },
    robot,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A link line of the whole-message markdown: only to http(s), else the title as text. */
function toMarkdownLink(title: string, url: string): string {
  const label = escapeForDialect(oneLine(title), 'markdown');
  const href = toHttpUrl(url);
  return href === undefined ? label : `[${label}](${toMarkdownHref(href)})`;
}

/** One line of summary for digests and logs: the title, else the first line of the text. */
export function summarizeDingTalkMessage(data: DingTalkMessageData): string {
  const first =
    data.title ??
    data.links[0]?.title ??
    data.contentText.split('\n').find((l) => l.trim() !== '') ??
    data.msgtype;
  const line = first.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length > 120 ? `${chars.slice(0, 119).join('')}…` : line;
}

/** Link and button lines: a `link` message's one link reads "查看详情" since its title is the headline. */
function listLinkLines(message: DingTalkMessage): DingTalkButton[] {
  if (message.msgtype === 'link') return message.links.map((l) => ({ title: '查看详情', url: l.url }));
  return [...message.links.map((l) => ({ title: l.title, url: l.url })), ...message.buttons];
}

/**
 * DingTalk only highlights a mention whose `@id` also appears in the text (robots.md §2.1), so
 * clients write the anchors into the body; the templates add mentions in the sink's own syntax,
 * and the anchors would show twice.
 */
function removeMentionAnchors(text: string, ids: readonly string[]): string {
  let out = text;
  for (const id of [...ids].sort((a, b) => b.length - a.length)) out = out.split(`@${id}`).join('');
  return out;
}

/**
 * DingTalk markdown → the WeCom v1 subset: images become links (WeCom markdown cannot show them),
 * single-star italics and non-WeCom font colours become plain text, `<br>` a line break.
 */
export function toWeComMarkdown(markdown: string): string {
  return tidyLines(
    markdown
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(
        /!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g,
        (_m, alt: string, src: string) => `[${alt.trim() || '图片'}](${src})`,
      )
      .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\*)/g, '$1$2')
      .replace(/<font\b([^>]*)>([\s\S]*?)<\/font>/gi, (whole, attrs: string, inner: string) =>
        /color\s*=\s*["']?(info|comment|warning)["']?/i.test(attrs) ? whole : inner,
      ),
  );
}

/** Markdown → plain lines: links as `text (url)`, images as `图片: url`, no markup. */
export function toPlainText(markdown: string): string {
  return tidyLines(
    markdown
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(
        /!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g,
        (_m, alt: string, src: string) => `${alt.trim() || '图片'}: ${src}`,
      )
      .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_m, label: string, href: string) =>
        label === href ? href : `${label} (${href})`,
      )
      .replace(/^\s{0,3}>\s?/gm, '')
      .replace(/^\s{0,3}#{1,6}\s+/gm, '')
      .replace(/(\*\*|__)(.+?)\1/g, '$2')
      .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\*)/g, '$1$2')
      .replace(/<\/?font\b[^>]*>/gi, ''),
  );
}

/** Official examples put ` \n ` between lines; robots show the stray spaces as indentation. */
function tidyLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function startsWithTitle(text: string, title: string): boolean {
  const t = title.trim();
  return t !== '' && text.trimStart().startsWith(t);
}

function findMarkdownLink(text: string): string | undefined {
  const match = /(^|[^!])\[[^\]]*\]\((https?:\/\/[^)\s]+)\)/.exec(text);
  return match?.[2];
}

function joinBlocks(blocks: readonly string[]): string {
  return blocks.filter((b) => b.trim() !== '').join('\n');
}
