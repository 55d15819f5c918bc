import Handlebars, { type HelperDelegate, type HelperOptions } from 'handlebars';

import type { Dialect, Mentions, TemplateFormat } from '../contracts/message.js';
import type { Person } from '../contracts/sink.js';
import {
  collapseToOneLine,
  defaultDialect,
  escapeForDialect,
  escapeMark,
  isTextDialect,
  toHttpUrl,
  toMarkdownHref,
  toOneLineValue,
} from './escape-for-dialect.js';

/** Per-render state the `mention` helper writes into (Handlebars `@hookmux`). */
export interface RenderState {
  readonly format: TemplateFormat;
  /** What every printed value is escaped for (the sink's `dialect()`, else from `format`). */
  readonly dialect?: Dialect;
  /** Set while a front-matter URL field renders: values print as they are, the result must be http(s). */
  readonly urlField?: boolean;
  /** The `people:` key of the event's source (`gitee`). */
  readonly sourceIdentity: string;
  /** The `people:` key of the sink (`wecom`), if the sink can mention. */
  readonly sinkIdentity: string | undefined;
  readonly people: readonly Person[];
  readonly formatMention: ((userId: string) => string) | undefined;
  readonly timeZone: string;
  readonly mentions: { userIds: Set<string>; mobiles: Set<string>; all: boolean };
}

export function toMentions(state: RenderState): Mentions {
  return {
    userIds: [...state.mentions.userIds],
    mobiles: [...state.mentions.mobiles],
    all: state.mentions.all,
  };
}

/** Names every template may call; templates are compiled with `knownHelpersOnly`, so a typo fails at load. */
export const templateHelpers: Record<string, HelperDelegate> = {
  shortSha: (sha: unknown, ...rest: unknown[]) => {
    const len = typeof rest[0] === 'number' ? rest[0] : 7;
    return typeof sha === 'string' ? sha.slice(0, len) : '';
  },
  firstLine: (text: unknown) => (typeof text === 'string' ? (text.split(/\r?\n/)[0] ?? '').trim() : ''),
  /** `{{truncate text 80}}`: at most N characters (code points), with `…` when cut. */
  truncate: (text: unknown, ...rest: unknown[]) => {
    const max = typeof rest[0] === 'number' ? rest[0] : 80;
    return truncateChars(stringOf(text), max);
  },
  /** `{{excerpt body 3 200}}`: the first N non-empty lines, at most M characters, `…` when cut. */
  excerpt: (text: unknown, ...rest: unknown[]) => {
    const maxLines = typeof rest[0] === 'number' ? rest[0] : 3;
    const maxChars = typeof rest[1] === 'number' ? rest[1] : 200;
    const lines = stringOf(text)
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .filter((l) => l.trim() !== '');
    const kept = lines.slice(0, maxLines).join('\n');
    const cut = truncateChars(kept, maxChars);
    return lines.length > maxLines && cut === kept ? `${kept}…` : cut;
  },
  /**
   * `{{mention login}}` or `{{mention list}}`: the person in the sink's own mention syntax (markup:
   * a SafeString); a name printed instead, for someone without an id, is escaped.
   */
  mention: function (this: unknown, who: unknown, options: HelperOptions) {
    const state = stateOf(options);
    const people = toPeople(who);
    if (!state)
      return safe(
        people
          .map((p) => `@${escapeText(oneLine(p.name ?? p.login ?? p.mobile ?? ''), undefined)}`)
          .join(' '),
      );
    return safe(people.map((p) => mentionOne(p, state)).join(' '));
  },
  /** `{{mentionAll}}`: everyone in the group. */
  mentionAll: function (this: unknown, options: HelperOptions) {
    const state = stateOf(options);
    if (state) state.mentions.all = true;
    return safe('@all');
  },
  /**
   * `{{raw value}}` (or `{{{value}}}`): printed as it is, unescaped. Only for markup the template
   * (or a trusted robot client, see templates/README.md) wrote; never for payload text.
   */
  raw: (value: unknown) => safe(stringOf(value)),
  /** `{{date value}}` → `2021-10-08 17:53` in `templates.timeZone`; `{{date value "date"}}`, `"time"`, `"iso"`. */
  date: function (this: unknown, value: unknown, ...rest: unknown[]) {
    const options = rest.pop() as HelperOptions;
    const style = typeof rest[0] === 'string' ? rest[0] : 'datetime';
    const zone =
      typeof rest[1] === 'string'
        ? rest[1]
        : ((options.data as { hookmux?: RenderState }).hookmux?.timeZone ?? 'Asia/Shanghai');
    return formatDate(value, style, zone);
  },
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  lt: (a: unknown, b: unknown) => Number(a) < Number(b),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  not: (a: unknown) => !a,
  /** `{{join labels ", "}}`; `{{join people ", " "name"}}` joins one property of each item. */
  join: (list: unknown, ...rest: unknown[]) => {
    if (!Array.isArray(list)) return '';
    const sep = typeof rest[0] === 'string' ? rest[0] : ', ';
    const prop = typeof rest[1] === 'string' ? rest[1] : undefined;
    return list
      .map((item: unknown) => (prop && isRecord(item) ? item[prop] : item))
      .filter((v) => v !== undefined && v !== null && v !== '')
      .map(stringOf)
      .join(sep);
  },
  /** `{{plural count "commit"}}` → `1 commit` / `3 commits`; a third argument gives the plural form. */
  plural: (count: unknown, singular: unknown, ...rest: unknown[]) => {
    const n = Number(count) || 0;
    const many = typeof rest[0] === 'string' ? rest[0] : `${stringOf(singular)}s`;
    return `${n} ${n === 1 ? stringOf(singular) : many}`;
  },
  json: (value: unknown) => JSON.stringify(value ?? null),
  /**
   * `{{link text url}}`: a link in the message's dialect, only to http(s); any other URL (or none)
   * leaves the text alone, so a payload cannot link to `javascript:` or a custom scheme.
   */
  link: function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as HelperOptions;
    const state = stateOf(options);
    const dialect = dialectOf(state);
    // Block form `{{#link url}}label with {{values}}{{/link}}`: the label is the rendered block,
    // whose values are already escaped.
    const block = typeof options.fn === 'function' && args.length === 1;
    const url = block ? args[0] : args[1];
    const href = toHttpUrl(url instanceof Handlebars.SafeString ? url.toString() : url);
    const label = block ? oneLine(options.fn(this)) : escapeText(oneLine(stringOf(args[0])), dialect);
    if (href === undefined) return safe(label);
    if (isTextDialect(dialect)) return safe(label === '' || label === href ? href : `${label} ${href}`);
    return safe(`[${label === '' ? escapeText(href, dialect) : label}](${toMarkdownHref(href)})`);
  },
  /**
   * `{{quote text}}`: every line, escaped, as a markdown quote (`> `): user text cannot end the
   * quote or become a heading.
   */
  quote: function (this: unknown, text: unknown, options: HelperOptions) {
    const dialect = dialectOf(stateOf(options));
    const lines = stringOf(text).split(/\r?\n/);
    return safe(lines.map((line) => `> ${escapeText(line, dialect)}`).join('\n'));
  },
  /** `{{plain text}}`: strips markdown structure (headings, quotes, links, bold, font tags) from user text. */
  plain: (text: unknown) => toPlain(stringOf(text)),
  /** `{{href url}}`: the URL when it is http(s), else nothing: for text templates that write URLs out. */
  href: (url: unknown) => safe(toHttpUrl(stringOf(url)) ?? ''),
  /** `{{concat repo.url "/commit/" after}}`: the values as one string (to build a link target). */
  concat: (...args: unknown[]) => args.slice(0, -1).map(stringOf).join(''),
  /** `{{oneLine text}}`: line breaks become spaces (titles and names already are one line). */
  oneLine: (text: unknown) => oneLine(stringOf(text)),
  /** `{{default value "fallback"}}`. */
  default: (value: unknown, fallback: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
  len: (value: unknown) =>
    Array.isArray(value) ? value.length : typeof value === 'string' ? [...value].length : 0,
  add: (a: unknown, b: unknown) => Number(a) + Number(b),
};

/**
 * Wraps every `{{value}}` of a template (see compileEscaped in template-set.ts): a SafeString
 * (markup from `mention`, `link`, `quote`, `raw`, …) prints as it is; anything else is text,
 * escaped for the message's dialect. Front-matter URL fields print unescaped and are checked whole.
 */
export const escapeHelperName = '__escape';
export function escapeValue(this: unknown, value: unknown, options: HelperOptions): unknown {
  if (value instanceof Handlebars.SafeString) return value;
  const hash = (options.hash ?? {}) as { oneLine?: boolean; raw?: boolean };
  const text = hash.oneLine === true ? toOneLineValue(stringOf(value)) : stringOf(value);
  const state = stateOf(options);
  if (hash.raw === true) return safe(text);
  if (state?.urlField) return text;
  return escapeText(text, dialectOf(state));
}

function stateOf(options: HelperOptions | undefined): RenderState | undefined {
  return (options?.data as { hookmux?: RenderState } | undefined)?.hookmux;
}

function dialectOf(state: RenderState | undefined): Dialect {
  return state?.dialect ?? defaultDialect(state?.format ?? 'md');
}

function escapeText(text: string, dialect: Dialect | undefined): string {
  return escapeForDialect(text, dialect ?? 'markdown');
}

function oneLine(text: string): string {
  return collapseToOneLine(text);
}

/** `@name`; someone named "all" must not read as `@all`, which sinks turn into a mention of everyone. */
function atName(display: string): string {
  return /^all\b/i.test(display) ? `@${escapeMark}${display}` : `@${display}`;
}

function safe(text: string): Handlebars.SafeString {
  return new Handlebars.SafeString(text);
}

function mentionOne(who: Who, state: RenderState): string {
  const identity = who.source ?? state.sourceIdentity;
  const person = state.people.find((p) =>
    who.login !== undefined ? p[identity] === who.login : p['mobile'] === who.mobile,
  );
  const display = escapeText(
    oneLine(person?.['name'] ?? who.name ?? who.login ?? who.mobile ?? ''),
    dialectOf(state),
  );
  const userId = state.sinkIdentity ? person?.[state.sinkIdentity] : undefined;
  if (userId) {
    state.mentions.userIds.add(userId);
    // A sink that mentions through a list (WeCom text) writes nothing inline: the name shows.
    const inline = state.formatMention?.(userId);
    return inline !== undefined && inline !== '' ? inline : atName(display);
  }
  const mobile = person?.['mobile'] ?? who.mobile;
  if (mobile) state.mentions.mobiles.add(mobile);
  return atName(display);
}

interface Who {
  readonly login?: string | undefined;
  readonly mobile?: string | undefined;
  readonly name?: string | undefined;
  /** The `people:` key the login belongs to, when not the event's source (a mixed digest). */
  readonly source?: string | undefined;
}

/**
 * A login (in the event source's namespace), a person object from the event data (`{login, name}`),
 * `{mobile}` (robot-compatible sources mention by phone), or a list of these.
 */
function toPeople(who: unknown): Who[] {
  const items = Array.isArray(who) ? who : [who];
  return items.flatMap((item: unknown): Who[] => {
    if (typeof item === 'string' && item !== '') return [{ login: item }];
    if (!isRecord(item)) return [];
    const text = (key: string): string | undefined =>
      typeof item[key] === 'string' && item[key] !== '' ? item[key] : undefined;
    const login = text('login') ?? text('username');
    const mobile = text('mobile');
    return login || mobile ? [{ login, mobile, name: text('name'), source: text('source') }] : [];
  });
}

/** Markdown that a robot would render as structure (headings, lists, quotes) turned into plain lines. */
function toPlain(text: string): string {
  return text
    .replace(/```[a-z]*\n?/gi, '')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/!\[([^\]]*)\]\(([^)]*)\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/<\/?(font|br|p|div|span)[^>]*>/gi, '');
}

function truncateChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function formatDate(value: unknown, style: string, timeZone: string): string {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'number'
        ? new Date(value)
        : typeof value === 'string' && /^\d{10,13}$/.test(value)
          ? new Date(Number(value.length === 10 ? `${value}000` : value))
          : typeof value === 'string'
            ? new Date(value)
            : undefined;
  if (!date || Number.isNaN(date.getTime())) return stringOf(value);
  if (style === 'iso') return date.toISOString();
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const day = `${parts['year']}-${parts['month']}-${parts['day']}`;
  const time = `${parts['hour']}:${parts['minute']}`;
  return style === 'date' ? day : style === 'time' ? time : `${day} ${time}`;
}

function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Handlebars.SafeString) return value.toString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return value.toString();
  return JSON.stringify(value) ?? '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
