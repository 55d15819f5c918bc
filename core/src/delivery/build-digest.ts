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
 * Each event keeps its full text when that fits, else shrinks to a summary line with its link, so
 * every event in the digest is still recognisable and reachable. It stops at the first message
 * that no longer fits even as a summary line, so the rest stay queued in order.
 */
export function buildDigest(messages: readonly Message[], options: DigestOptions): Digest {
  const first = messages[0];
  if (first === undefined) throw new RangeError('buildDigest needs at least one message');
  const format = first.format;
  const parts: string[] = [];
  let partsBytes = 0;
  let count = 0;
  let included = 0;

  for (const message of messages) {
    const held = Math.max(1, message.count);
    const headerBytes = byteLength(formatHeader(count + held, format));
    const room = options.maxTextBytes - headerBytes - partsBytes - byteLength(separator);
    const choice = [message.text.trim(), formatSummaryLine(message, format)].find((c) => c.length > 0 && byteLength(c) <= room);
    if (choice !== undefined) {
      parts.push(choice);
    } else if (included === 0) {
      // The first event must go out even when its summary alone is too long: cut the summary, keep the link.
      parts.push(cutSummaryLine(message, format, room));
    } else {
      break;
    }
    partsBytes += byteLength(parts[parts.length - 1] ?? '') + byteLength(separator);
    count += held;
    included++;
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

function formatSummaryLine(message: Message, format: TemplateFormat): string {
  const summary = oneLine(message.summary) || message.eventName;
  if (message.url === undefined) return `- ${summary}`;
  return format === 'md' ? `- [${summary.replace(/[[\]]/g, ' ')}](${message.url})` : `- ${summary} ${message.url}`;
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
