import type { Mentions, Message, TemplateFormat } from '../contracts/message.js';

export const digestEventName = 'hookmux.digest';

export interface DigestOptions {
  /** `sink.maxTextBytes(target)`: the digest's `text` never exceeds it (UTF-8 bytes). */
  readonly maxTextBytes: number;
  /** Becomes the digest's `eventId`, and is recorded on the rows it holds once delivered. */
  readonly digestId: string;
}

export interface Digest {
  readonly message: Message;
  /** How many of the given messages (a prefix: oldest first) the digest holds; at least 1. */
  readonly included: number;
}

const separator = '\n\n';

/**
 * Merges a robot's backlog, oldest first, into one message that fits the robot's byte limit.
 * A digest exists to drain a backlog, so it first takes as many events as fit as one-line
 * summaries with their links, then gives each of those, oldest first, its full text where the
 * room allows. Every event in it is still recognisable and reachable. It stops at the first event
 * that does not fit, so the rest stay queued, in order.
 */
export function buildDigest(messages: readonly Message[], options: DigestOptions): Digest {
  const first = messages[0];
  if (first === undefined) throw new RangeError('buildDigest needs at least one message');
  const format = first.format;
  const sepBytes = byteLength(separator);
  const headerBytes = (count: number): number => byteLength(formatHeader(count, format));

  // Pass 1: how many fit as summary lines.
  const parts: string[] = [];
  let partsBytes = 0;
  let count = 0;
  for (const message of messages) {
    const held = Math.max(1, message.count);
    const room = options.maxTextBytes - headerBytes(count + held) - partsBytes - sepBytes;
    let line = formatSummaryLine(message, format);
    if (byteLength(line) > room) {
      if (parts.length > 0) break;
      // The first event goes out even when its summary alone is too long: cut it, keep the link.
      line = cutSummaryLine(message, format, room);
    }
    parts.push(line);
    partsBytes += byteLength(line) + sepBytes;
    count += held;
  }
  const included = parts.length;

  // Pass 2: full text where it fits.
  const budget = options.maxTextBytes - headerBytes(count);
  for (let i = 0; i < included; i++) {
    const message = messages[i];
    const current = parts[i];
    if (message === undefined || current === undefined) continue;
    const full = formatFullText(message, format);
    const grown = partsBytes - byteLength(current) + byteLength(full);
    if (full.length > 0 && grown <= budget) {
      parts[i] = full;
      partsBytes = grown;
    }
  }

  const header = formatHeader(count, format);
  const text = [header, ...parts].join(separator);
  const plainHeader = formatHeader(count, 'txt');
  return {
    included,
    message: {
      eventId: options.digestId,
      eventName: digestEventName,
      sink: first.sink,
      format,
      text: truncateUtf8(text, options.maxTextBytes),
      fields: { title: plainHeader },
      mentions: unionMentions(messages.slice(0, included).map((m) => m.mentions)),
      summary: plainHeader,
      count,
    },
  };
}

export function formatHeader(count: number, format: TemplateFormat): string {
  const plain = `hookmux: ${count} ${count === 1 ? 'event' : 'events'}`;
  return format === 'md' ? `**${plain}**` : plain;
}

/** The rendered text, with the event's link added when the template left it out. */
function formatFullText(message: Message, format: TemplateFormat): string {
  const text = message.text.trim();
  if (text.length === 0 || message.url === undefined || text.includes(message.url)) return text;
  return `${text}\n${format === 'md' ? `[${message.url}](${message.url})` : message.url}`;
}

function formatSummaryLine(message: Message, format: TemplateFormat): string {
  const summary = oneLine(message.summary) || message.eventName;
  if (message.url === undefined) return `- ${summary}`;
  return format === 'md'
    ? `- [${summary.replace(/[[\]]/g, ' ')}](${message.url})`
    : `- ${summary} ${message.url}`;
}

function cutSummaryLine(message: Message, format: TemplateFormat, room: number): string {
  const link = message.url === undefined ? '' : format === 'md' ? ` (${message.url})` : ` ${message.url}`;
  const summaryRoom = room - byteLength('- …') - byteLength(link);
  const summary = truncateUtf8(oneLine(message.summary) || message.eventName, Math.max(0, summaryRoom));
  return truncateUtf8(`- ${summary}…${link}`, Math.max(0, room));
}

export function unionMentions(all: readonly Mentions[]): Mentions {
  return {
    userIds: [...new Set(all.flatMap((m) => m.userIds))],
    mobiles: [...new Set(all.flatMap((m) => m.mobiles))],
    all: all.some((m) => m.all),
  };
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Back off continuation bytes (10xxxxxx) to the start of the character being cut.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
