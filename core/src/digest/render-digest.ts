import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import type { MessageRenderer, NamedRender, RenderTarget } from '../templates/message-renderer.js';
import {
  buildDigestContext,
  type DigestContextInput,
  type DigestLevel,
  groupView,
  type SummaryGrain,
} from './digest-context.js';
import { gatherMentions, groupDigestEvents } from './group-digest-entries.js';

export const digestEventName = 'hookmux.digest';

/** One queued delivery going into a digest: the stored event and the route that sent it here. */
export interface DigestEntry {
  readonly deliveryId: string;
  readonly event: HookEvent;
  readonly route: string;
  /** The route's own template folder, when it has one. */
  readonly routeDir?: string;
}

export interface DigestInput {
  /** Oldest first, at least one, all for one sink. */
  readonly entries: readonly DigestEntry[];
  readonly to: RenderTarget;
  readonly renderer: MessageRenderer;
  /** Becomes the digest's `eventId`, and is recorded on the rows it carries. */
  readonly digestId: string;
  /** `to.sink.maxTextBytes(to.target)`: the digest's text never exceeds it (UTF-8 bytes). */
  readonly maxBytes: number;
  /** Where a failing digest template is reported (`HM_ERR_TPL_RENDER`, then the built-in is used). */
  readonly logger?: Logger;
}

export interface RenderedDigest {
  readonly message: Message;
  /** How many entries (a prefix, oldest first) the message carries; the rest stay queued. */
  readonly included: number;
  /** How much detail fitted: commit lines per push group, groups in full, grain of the counted rest. */
  readonly level?: DigestLevel;
}

/** Articles a WeCom `news` digest carries at most (WeCom's limit). */
const maxArticles = 8;

/**
 * The dispatcher's one call for a digest: every entry, grouped (see `groupDigestEvents`), rendered
 * through the first `<source>/_digest.<fmt>.hbs` or `_digest.<fmt>.hbs` on the search path, with as
 * much detail as fits `maxBytes`. It always carries every entry: past the line budget the later
 * groups become counted rows, then coarser counts, then the total. A template that fails is
 * logged and the built-in digest template used instead.
 */
export function renderDigest(input: DigestInput): RenderedDigest {
  const { entries } = input;
  if (entries.length === 0) throw new RangeError('renderDigest needs at least one entry');
  const events = entries.map((e) => e.event);
  const sources = [...new Set(events.map((e) => e.source))];
  const groups = groupDigestEvents(events);
  // The articles of a `news` digest (and the rows of a card) come from the first groups, whatever the text's level.
  const items = groups.slice(0, maxArticles).map((g) => groupView(g, { commitLines: 3, compact: true }));
  const contextInput: DigestContextInput = {
    top: items,
    id: input.digestId,
    groups,
    count: events.length,
    sources,
    mentions: gatherMentions(events),
    receivedFrom: events.reduce((n, e) => Math.min(n, e.receivedAt), Infinity),
    receivedTo: events.reduce((n, e) => Math.max(n, e.receivedAt), -Infinity),
  };
  const names = sources.length === 1 ? [`${sources[0]}/_digest`, '_digest'] : ['_digest'];
  const routeDirs = new Set(entries.map((e) => e.routeDir));
  const routeDir = routeDirs.size === 1 ? entries[0]?.routeDir : undefined;
  let builtinOnly = false;
  const render = (level: DigestLevel): NamedRender => {
    const context = buildDigestContext(contextInput, level);
    const options = {
      routeDir,
      builtinOnly,
      sourceIdentity: sources[0] ?? '',
      perItem: { key: 'article', items },
    };
    if (!builtinOnly) {
      try {
        const found = input.renderer.renderNamed(names, context, input.to, options);
        if (found) return found;
      } catch (error) {
        builtinOnly = true;
        const e = HookmuxError.is(error) ? error : undefined;
        input.logger?.error(
          {
            code: e?.code ?? 'HM_ERR_TPL_RENDER',
            at: e?.at,
            digest: input.digestId,
            err: (error as Error).message,
          },
          'digest template failed; using the built-in digest template',
        );
      }
    }
    const builtin = input.renderer.renderNamed(names, context, input.to, { ...options, builtinOnly: true });
    if (!builtin) {
      throw new HookmuxError('HM_ERR_TPL_NOT_FOUND', `no _digest template for ${input.to.target.name}`, {
        hint: 'the built-in templates folder needs _digest.md.hbs and _digest.txt.hbs',
      });
    }
    return builtin;
  };

  const { rendered, level } = fit(render, groups, input.maxBytes);
  const message = toMessage(rendered, input, events, level);
  return { message, included: entries.length, level };
}

const minGroupBytes = 8;

/** The most detailed level whose text fits, and that text. */
function fit(
  render: (level: DigestLevel) => NamedRender,
  groups: readonly { readonly type: string; readonly commits?: readonly unknown[] }[],
  maxBytes: number,
): { rendered: NamedRender; level: DigestLevel } {
  const fits = (r: NamedRender): boolean => byteLength(r.text) <= maxBytes;
  const all = groups.length;
  const maxLines = groups.reduce((n, g) => Math.max(n, g.commits?.length ?? 0), 0);

  // 1. Every group in full, with as many commit lines per push group as fit.
  const full = (commitLines: number, extraLines = 0): DigestLevel => ({
    commitLines,
    extraLines,
    compact: false,
    detailed: all,
    grain: 'total',
  });
  // A group takes more than a few bytes in any template worth sending: skip rendering thousands to learn it.
  const fewest = all * minGroupBytes <= maxBytes ? render(full(0)) : undefined;
  if (fewest !== undefined && fits(fewest)) {
    const lines = searchMax(1, maxLines, (k) => fits(render(full(k)))) ?? 0;
    // The room left after `lines` each: one more line for as many of the first groups as it holds.
    const extra = lines < maxLines ? (searchMax(1, all - 1, (e) => fits(render(full(lines, e)))) ?? 0) : 0;
    const level = full(lines, extra);
    return { rendered: lines === 0 && extra === 0 ? fewest : render(level), level };
  }

  // 2. The first groups in full (compact, one commit line), the rest counted, from fine rows to coarse.
  const grains: SummaryGrain[] = ['actor', 'kind', 'type', 'total'];
  for (const grain of grains) {
    const partial = (detailed: number): DigestLevel => ({
      commitLines: 1,
      extraLines: 0,
      compact: true,
      detailed,
      grain,
    });
    const none = render(partial(0));
    if (!fits(none)) continue;
    const best = searchMax(1, all - 1, (d) => fits(render(partial(d))));
    const level = partial(best ?? 0);
    return { rendered: best === undefined ? none : render(level), level };
  }

  // 3. Not even the total fits (a tiny limit): its first lines, cut at a line, then at a character.
  const level: DigestLevel = { commitLines: 0, extraLines: 0, compact: true, detailed: 0, grain: 'total' };
  const total = render(level);
  return { rendered: { ...total, text: cutToLines(total.text, maxBytes) }, level };
}

/**
 * The largest n in [lo, hi] with ok(n), assuming ok holds up to some n and not past it; undefined
 * if none. Gallops up from lo first: the answer is usually small next to hi (a flood's groups), and
 * each probe renders n groups.
 */
function searchMax(lo: number, hi: number, ok: (n: number) => boolean): number | undefined {
  if (lo > hi || !ok(lo)) return undefined;
  let good = lo;
  let bad = hi + 1;
  for (let step = 1; good + step <= hi; step *= 2) {
    if (!ok(good + step)) {
      bad = good + step;
      break;
    }
    good += step;
  }
  if (bad === hi + 1) {
    if (good === hi || ok(hi)) return hi;
    bad = hi;
  }
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (ok(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

function toMessage(
  rendered: NamedRender,
  input: DigestInput,
  events: readonly HookEvent[],
  level: DigestLevel,
): Message {
  const format = input.to.sink.templateFormat(input.to.target);
  const fields: Record<string, unknown> = { ...rendered.fields };
  const title = readString(fields['title']) ?? firstLine(rendered.text);
  const url = readString(fields['url']) ?? events.map((e) => e.url).find((u) => u !== undefined && u !== '');
  const articles = toArticles(rendered.items, fields, url);
  if (articles.length > 0) {
    fields['articles'] = articles;
    if (fields['card'] === undefined) fields['card'] = toCard(articles, fields, title, url);
  }
  void level;
  return {
    eventId: input.digestId,
    eventName: digestEventName,
    sink: input.to.target.name,
    format,
    text: rendered.text,
    fields,
    mentions: rendered.mentions,
    ...(url === undefined ? {} : { url }),
    summary: title,
    count: events.length,
  };
}

/** WeCom `news`: one article per group, at most 8; past 8 groups the last one is the digest itself. */
function toArticles(
  items: readonly Record<string, unknown>[],
  fields: Readonly<Record<string, unknown>>,
  url: string | undefined,
): Record<string, unknown>[] {
  const usable = items.filter((i) => readString(i['title']) !== undefined);
  if (usable.length === 0) return [];
  if (usable.length < maxArticles) return [...usable];
  const overall = { title: fields['title'], description: fields['description'], url: fields['url'] ?? url };
  return [...usable.slice(0, maxArticles - 1), overall];
}

/** A `text_notice` card: the digest's title, one row per group (≤ 6), links to the first three. */
function toCard(
  articles: readonly Record<string, unknown>[],
  fields: Readonly<Record<string, unknown>>,
  title: string,
  url: string | undefined,
): Record<string, unknown> {
  const description = readString(fields['description']);
  const rows = articles.slice(0, 6).map((a) => {
    const rowUrl = readString(a['url']);
    return {
      keyname: truncateChars(readString(a['key']) ?? '', cardChars.keyname),
      value: truncateChars(readString(a['title']) ?? '', cardChars.value),
      ...(rowUrl === undefined ? {} : { type: 1, url: rowUrl }),
    };
  });
  const jumps = articles
    .filter((a) => readString(a['url']) !== undefined)
    .slice(0, 3)
    .map((a) => ({
      type: 1,
      url: a['url'],
      title: truncateChars(readString(a['jump']) ?? readString(a['title']) ?? '', cardChars.jump),
    }));
  return {
    main_title: {
      title: truncateChars(title, cardChars.title),
      ...(description === undefined ? {} : { desc: truncateChars(description, cardChars.desc) }),
    },
    horizontal_content_list: rows,
    ...(jumps.length > 0 ? { jump_list: jumps } : {}),
    ...(url === undefined ? {} : { card_action: { type: 1, url } }),
  };
}

/** What WeCom shows of a card's texts (robots.md §1: title ≲26, desc ≲30 characters). */
const cardChars = { title: 26, desc: 30, keyname: 5, value: 26, jump: 13 } as const;

function truncateChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The lines that fit whole; the first line cut at a character (its markup removed) if none does. */
function cutToLines(text: string, maxBytes: number): string {
  const lines = text.split('\n');
  let out = '';
  for (const line of lines) {
    const next = out === '' ? line : `${out}\n${line}`;
    if (byteLength(next) > maxBytes) break;
    out = next;
  }
  if (out !== '') return out;
  const plain = (lines[0] ?? '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .replace(/\*\*/g, '');
  return truncateUtf8(plain, maxBytes);
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/[*#>]/g, '').trim();
}

function readString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
