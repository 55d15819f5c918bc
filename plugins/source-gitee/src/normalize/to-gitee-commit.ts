import { isJsonRecord, pickFirst, readString, readText, toOneLine, truncateText } from '@hookmux/core';

import type { GiteeCommitData } from './gitee-hook-data.js';
import { toGiteePerson } from './to-gitee-person.js';

/** Bounds what templates and digests carry; the full text stays in `payload`. */
const maxMessageLength = 4000;
const maxTitleLength = 200;

export function toGiteeCommit(value: unknown): GiteeCommitData | undefined {
  if (!isJsonRecord(value)) return undefined;
  const id = readText(value, 'id');
  if (id === undefined) return undefined;
  const message = (readString(value, 'message') ?? '').replace(/\r\n/g, '\n').trim();
  const author = toGiteePerson(value['author']) ?? toGiteePerson(value['committer']);
  return {
    id,
    shortId: id.slice(0, 7),
    title: toOneLine(message.split('\n', 1)[0] ?? '', maxTitleLength),
    message: truncateText(message, maxMessageLength),
    url: readText(value, 'url'),
    timestamp: readText(value, 'timestamp'),
    author: { name: pickFirst(author?.name, author?.login) ?? 'unknown', login: author?.login },
  };
}
