/** Appended where a message was cut, so that readers see it is not the whole thing. */
export const truncationMarker = '…';

export interface TruncateOptions {
  /** `markdown` protects links, `<font>` spans, bold, code and mentions; `text` protects mentions and URLs. */
  readonly style: 'markdown' | 'text';
  /** Link to the full thing, appended after the marker when it fits. */
  readonly url?: string | undefined;
}

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** UTF-8 length, as WeCom counts its limits. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes. Text that fits is returned unchanged. Otherwise
 * the cut falls on a grapheme boundary (never inside a multi-byte character, a surrogate pair or
 * an emoji sequence) and before any markup it would break: a markdown link or image, a
 * `<font ...>...</font>` span, a `<@userid>` mention, bold, inline or fenced code, a bare URL.
 * Nothing is left half-open and nothing is closed artificially. The result ends with `…` and,
 * when `url` is set and fits, a link to the full text (`[查看全文](url)` or `全文: url`).
 *
 * WeCom refuses over-long markdown with 40058 instead of cutting it (robots.md §1.4), so a
 * message that never fits would be a dead letter; this keeps every message deliverable.
 */
export function truncateUtf8Markdown(text: string, maxBytes: number, options: TruncateOptions): string {
  if (byteLength(text) <= maxBytes) return text;
  for (const tail of buildTails(options)) {
    const budget = maxBytes - byteLength(tail);
    if (budget < 0) continue;
    return cutHead(text, budget, options.style) + tail;
  }
  return '';
}

/** Best first: marker and link, then the marker alone (for limits smaller than the link). */
function buildTails(options: TruncateOptions): string[] {
  const tails: string[] = [];
  // Only an http(s) link is ever written (issue 13), whoever built the message.
  if (options.url !== undefined && /^https?:\/\/[^\s<>"]+$/i.test(options.url)) {
    tails.push(
      options.style === 'markdown'
        ? `${truncationMarker}\n[查看全文](${escapeMarkdownUrl(options.url)})`
        : `${truncationMarker}\n全文: ${options.url}`,
    );
  }
  tails.push(truncationMarker);
  return tails;
}

function escapeMarkdownUrl(url: string): string {
  return url.replace(/[()\s]/g, (c) => encodeURIComponent(c));
}

function cutHead(text: string, budget: number, style: TruncateOptions['style']): string {
  let cut = findGraphemeCut(text, budget);
  cut = preferLineBreak(text, cut);
  cut = moveBeforeProtectedSpans(cut, findProtectedSpans(text.slice(0, cut + maxSpanLookahead), style));
  cut = dropDanglingOpener(text, cut, style);
  return text.slice(0, cut).trimEnd();
}

/** A span longer than this that straddles the cut is not recognised (it stays cut on a grapheme boundary). */
const maxSpanLookahead = 16_384;

/** The UTF-16 index of the last grapheme boundary whose prefix fits in `budget` bytes. */
function findGraphemeCut(text: string, budget: number): number {
  let bytes = 0;
  let cut = 0;
  for (const { segment, index } of segmenter.segment(text)) {
    bytes += byteLength(segment);
    if (bytes > budget) return cut;
    cut = index + segment.length;
  }
  return cut;
}

/** Ending on a whole line reads better, when that costs at most a tenth of the text kept. */
function preferLineBreak(text: string, cut: number): number {
  const lineEnd = text.lastIndexOf('\n', cut - 1);
  return lineEnd > 0 && cut - lineEnd <= cut / 10 ? lineEnd : cut;
}

interface Span {
  readonly start: number;
  readonly end: number;
}

const markdownSpans: readonly RegExp[] = [
  /```[\s\S]*?```/g,
  /<font\b[^>]*>[\s\S]*?<\/font>/gi,
  /!?\[(?:[^[\]\n]|\[[^\]\n]*\])*\]\([^)\n]*\)/g,
  /\*\*[^*\n]+?\*\*/g,
  /`[^`\n]+`/g,
];
const commonSpans: readonly RegExp[] = [/<@[^>\s]*>/g, /https?:\/\/[^\s<>()]+/g, /<\/?[a-z][^<>\n]*>/gi];

function findProtectedSpans(text: string, style: TruncateOptions['style']): Span[] {
  const patterns = style === 'markdown' ? [...markdownSpans, ...commonSpans] : commonSpans;
  const spans: Span[] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      spans.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return spans;
}

/** Moves the cut back until it is inside no span; spans nest, so it repeats until stable. */
function moveBeforeProtectedSpans(cut: number, spans: readonly Span[]): number {
  let moved = true;
  while (moved) {
    moved = false;
    for (const span of spans) {
      if (span.start < cut && cut < span.end) {
        cut = span.start;
        moved = true;
      }
    }
  }
  return cut;
}

/**
 * Markup whose closing part lies beyond the lookahead, or was never written, is not a span; an
 * opener left in the kept text (`<font color="info">`, `[text`, an odd `**`) would render as junk.
 */
function dropDanglingOpener(text: string, cut: number, style: TruncateOptions['style']): number {
  for (;;) {
    const head = text.slice(0, cut);
    const opener = style === 'markdown' ? findDanglingMarkdownOpener(head) : findDanglingMention(head);
    if (opener === undefined || opener >= cut) return cut;
    cut = opener;
  }
}

function findDanglingMention(head: string): number | undefined {
  const partial = /<@[^>\s]*$/.exec(head);
  return partial?.index;
}

function findDanglingMarkdownOpener(head: string): number | undefined {
  const lower = head.toLowerCase();
  const fontOpen = lower.lastIndexOf('<font');
  if (fontOpen >= 0 && lower.indexOf('</font>', fontOpen) < 0) return fontOpen;
  const fences = [...head.matchAll(/```/g)];
  if (fences.length % 2 === 1) return fences.at(-1)?.index;
  const lastLine = head.slice(head.lastIndexOf('\n') + 1);
  const lineStart = head.length - lastLine.length;
  const partial = /(?:<(?:font\b|@|\/)[^>\n]*|!?\[[^\]\n]*(?:\]\([^)\n]*)?)$/i.exec(lastLine);
  if (partial) return lineStart + partial.index;
  for (const marker of lastLine.includes('```') ? ['**'] : ['**', '`']) {
    const positions = indexesOf(lastLine, marker);
    if (positions.length % 2 === 1) return lineStart + (positions.at(-1) ?? 0);
  }
  return undefined;
}

function indexesOf(line: string, marker: string): number[] {
  const found: number[] = [];
  for (let i = line.indexOf(marker); i >= 0; i = line.indexOf(marker, i + marker.length)) found.push(i);
  return found;
}
