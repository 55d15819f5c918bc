import type { HostCommit } from './hook-data.js';
import { isJsonRecord, pickFirst, readString, readText, toOneLine, truncateText } from './json-reader.js';

/** Bounds what templates and digests carry; the full text stays in `payload`. */
const maxMessageLength = 4000;
const maxTitleLength = 200;

/** A commit of any host: `{id|sha, message, url, timestamp, author{name, username?}}`. */
export function toHostCommit(value: unknown, fallbackUrl?: (id: string) => string): HostCommit | undefined {
  if (!isJsonRecord(value)) return undefined;
  const id = pickFirst(readText(value, 'id'), readText(value, 'sha'));
  if (id === undefined) return undefined;
  const message = (readString(value, 'message') ?? '').replace(/\r\n/g, '\n').trim();
  const author = isJsonRecord(value['author'])
    ? value['author']
    : isJsonRecord(value['committer'])
      ? value['committer']
      : undefined;
  const login = pickFirst(readText(author, 'username'), readText(author, 'login'));
  return {
    id,
    shortId: id.slice(0, 7),
    title: toOneLine(message.split('\n', 1)[0] ?? '', maxTitleLength),
    message: truncateText(message, maxMessageLength),
    url: pickFirst(readText(value, 'url'), readText(value, 'html_url'), fallbackUrl?.(id)),
    timestamp: readText(value, 'timestamp'),
    author: { name: pickFirst(readText(author, 'name'), login) ?? 'unknown', login },
  };
}

/** `45 秒`, `4 分 30 秒`, `1 小时 2 分`. */
export function formatDurationZh(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  const s = Math.round(seconds);
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} 分` : `${m} 分 ${s % 60} 秒`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} 小时` : `${h} 小时 ${m % 60} 分`;
}
