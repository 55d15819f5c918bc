import type { Dialect, TemplateFormat } from '../contracts/message.js';

/**
 * The invisible mark put inside payload text where it would otherwise start markup: `<@all>`
 * becomes `<\u200B@all>`, which no robot reads as a mention but every client shows as `<@all>`. WeCom
 * markdown v1, DingTalk markdown and Feishu lark_md document no escape character, so breaking the
 * token is the one way that works in all of them (issue 13).
 */
export const escapeMark = '\u200B';

/** The dialect a sink without `dialect()` gets for a template format. */
export function defaultDialect(format: TemplateFormat): Dialect {
  return format === 'txt' ? 'text' : 'markdown';
}

export function isTextDialect(dialect: Dialect): boolean {
  return (
    dialect === 'text' || dialect === 'wecom-text' || dialect === 'dingtalk-text' || dialect === 'feishu-text'
  );
}

/**
 * Payload text → text that shows the same characters in `dialect` and starts no markup there:
 * no mention (`<@id>`, `<at …>`, an `@all` a sink would turn into one), colour (`<font>`), tag,
 * HTML entity, heading, quote, list, rule, link, image or bold. Markdown v2 (CommonMark) gets
 * backslash escapes; the other dialects get `escapeMark` inside each would-be token.
 */
export function escapeForDialect(text: string, dialect: Dialect): string {
  if (text === '') return text;
  if (dialect === 'wecom-markdown-v2') return escapeCommonMark(text);
  if (isTextDialect(dialect)) return breakMentions(text);
  return breakMarkdown(text);
}

/** Text robots read only mention tags (`<@id>`, `<at user_id>`) and the `@all` sinks convert. */
function breakMentions(text: string): string {
  if (!/[<@]/.test(text)) return text;
  return text.replace(/</g, `<${escapeMark}`).replace(/(^|[^\w.+-])@(?=\w)/g, `$1@${escapeMark}`);
}

/** What opens a block at the start of a line: heading, quote, list item, rule, fence, table row. */
const lineStartMarkup =
  /^([ \t]*)(?=#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|\d+[.)](?:[ \t]|$)|[-*_=](?:[ \t]*[-*_=]){1,}[ \t]*$|`{3,}|~{3,}|\|)/gm;

/** Values without a character that could start markup are the common case: returned as they are. */
const mayStartMarkdown = /[<@&\]!*_~]|^[ \t]*[#>+*=|~`_\d-]/m;

function breakMarkdown(text: string): string {
  if (!mayStartMarkdown.test(text)) return text;
  return breakMentions(text)
    .replace(/&(?=#?\w+;)/g, `&${escapeMark}`)
    .replace(/\]\(/g, `]${escapeMark}(`)
    .replace(/!\[/g, `!${escapeMark}[`)
    .replace(/\*\*/g, `*${escapeMark}*`)
    .replace(/__/g, `_${escapeMark}_`)
    .replace(/~~/g, `~${escapeMark}~`)
    .replace(lineStartMarkup, `$1${escapeMark}`);
}

function escapeCommonMark(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|~#]/g, '\\$&')
    .replace(/!(?=\\\[)/g, '\\!')
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(
      /^([ \t]*)(?:([+=-])(?=[ \t]|$|[-=])|(\d+)(?=[.)](?:[ \t]|$)))/gm,
      (_m, space: string, mark: string | undefined, digits: string | undefined) =>
        mark === undefined ? `${space}${digits ?? ''}\\` : `${space}\\${mark}`,
    );
}

/**
 * Keys whose values are one line wherever a template puts them (titles, names, refs, repository
 * names): a newline in an issue title must not start a heading, quote or rule (issue 13).
 */
export const singleLineKeys = new Set([
  'title',
  'name',
  'displayName',
  'fullName',
  'full_name',
  'path_with_namespace',
  'human_name',
  'namespace',
  'login',
  'username',
  'user_name',
  'nickname',
  'refName',
  'ref',
  'branch',
  'tag',
  'sourceBranch',
  'targetBranch',
  'source_branch',
  'target_branch',
  'label',
  'labels',
  'state',
  'stateName',
  'type',
  'number',
  'shortId',
  'headline',
  'summary',
  'repo',
  'actor',
]);

/**
 * A title or name longer than this is cut (with `…`): one would otherwise fill a whole message,
 * and a link around it cannot be cut, so truncation would leave nothing of it.
 */
const maxLineChars = 256;

/** A single-line value as printed: line breaks become spaces, and it is at most 256 characters. */
export function toOneLineValue(value: string): string {
  return capLine(/[\r\n\u2028\u2029\u0085\v\f]/.test(value) ? collapseToOneLine(value) : value);
}

function capLine(text: string): string {
  // UTF-16 length bounds the code point count: most values never need counting.
  if (text.length <= maxLineChars) return text;
  const chars = [...text];
  return chars.length <= maxLineChars ? text : `${chars.slice(0, maxLineChars - 1).join('')}…`;
}

/** Newlines (and other line breaks) in a single-line value become one space. */
export function collapseToOneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029\u0085\v\f]+\s*/g, ' ').trim();
}

/**
 * The URL, trimmed, when it is an absolute http(s) URL a robot may link to; otherwise undefined.
 * `javascript:`, `data:`, relative and vendor-scheme URLs are never link targets.
 */
export function toHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const url = value.trim();
  // No whitespace, quotes, angle brackets, control or invisible formatting characters anywhere.
  if (!/^https?:\/\/[^\s<>"'`\p{Cc}\p{Cf}]+$/iu.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

/** A URL as a markdown link target: the characters that would end the target are percent-encoded. */
export function toMarkdownHref(url: string): string {
  return url.replace(/[()[\]\s<>]/g, (c) => encodeURIComponent(c));
}

/** Text as it reads to a person: escape marks removed, CommonMark backslash escapes undone. */
export function toVisibleText(text: string, dialect: Dialect): string {
  const unmarked = text.split(escapeMark).join('');
  return dialect === 'wecom-markdown-v2' ? unmarked.replace(/\\([!-/:-@[-`{-~])/g, '$1') : unmarked;
}

const weComFontOpen = /^<font\s+color\s*=\s*["']?(?:info|comment|warning)["']?\s*>/i;

/**
 * Markdown a trusted robot client wrote (already in the WeCom v1 subset), made safe to print with
 * `{{{…}}}`: the client's headings, bold, quotes and links to http(s) stay; its mention tags
 * (`<@id>`, `<at …>`), other HTML tags and entities show as text, links to other schemes become
 * their text, and a written `@all` pings nobody: mentions come only from the message's own
 * mention fields, through the template (issue 13).
 */
export function sanitizeRobotMarkdown(markdown: string): string {
  let out = '';
  let rest = markdown;
  // Tags: only WeCom's three colour spans survive.
  for (let i = rest.indexOf('<'); i >= 0; i = rest.indexOf('<')) {
    out += rest.slice(0, i);
    rest = rest.slice(i);
    const keep = weComFontOpen.exec(rest)?.[0] ?? (/^<\/font>/i.test(rest) ? '</font>' : undefined);
    if (keep !== undefined) {
      out += keep;
      rest = rest.slice(keep.length);
    } else {
      out += `<${escapeMark}`;
      rest = rest.slice(1);
    }
  }
  out += rest;
  return out
    .replace(/&(?=#?\w+;)/g, `&${escapeMark}`)
    .replace(/(^|[^\w.+-])@(?=all\b)/gi, `$1@${escapeMark}`)
    .replace(/!?\[([^\]\n]*)\]\(([^)\n]*)\)/g, (_m, label: string, target: string) => {
      const href = toHttpUrl(target.trim().split(/\s+/)[0] ?? '');
      const text = label.trim();
      if (href === undefined) return escapeForDialect(text === '' ? target.trim() : text, 'markdown');
      return `[${text === '' ? href : text}](${toMarkdownHref(href)})`;
    });
}

/** Text with link targets taken out (`[label](url)` → `label`, bare URLs dropped), for keyword rules. */
export function withoutLinkTargets(text: string): string {
  return text
    .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/<link\b[^>]*>([\s\S]*?)<\/link>/gi, '$1')
    .replace(/<a\b[^>]*>([\s\S]*?)<\/a>/gi, '$1')
    .replace(
      /\b(?:https?|dingtalk|lark|feishu|javascript|data|file|ftp|mailto):[^\s<>"'()\]，。、；！？）】]*/gi,
      '',
    );
}
