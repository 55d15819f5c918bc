import { createHash } from 'node:crypto';

import { isJsonRecord, readString } from './normalize/json-reader.js';

/** The fields Gitee changes when it signs the same delivery again. */
const volatileFields = new Set(['password', 'sign', 'timestamp']);

/**
 * Gitee sends no delivery id (gitee-webhooks.md §1). The id is `gitee:<hook_id>:<hash>`, the hash
 * taken over the parsed body minus `password`, `sign` and `timestamp`, with keys sorted. Why not
 * the timestamp, as robotlib does: Gitee's re-send, or a proxy retry re-signed with a new
 * timestamp, would then count as a new event and post the same message twice. The body itself
 * already differs between real events (`after` SHA for pushes, `updated_at` for issues and pull
 * requests, the comment id for notes). Sorted keys make the hash independent of key order, which
 * re-serialising proxies change.
 */
export function deriveGiteeEventId(body: unknown): string {
  const hookId = readString(body, 'hook_id') ?? 'nohook';
  const stable = isJsonRecord(body)
    ? Object.fromEntries(Object.entries(body).filter(([k]) => !volatileFields.has(k)))
    : body;
  const hash = createHash('sha256').update(stringifyCanonical(stable), 'utf8').digest('hex').slice(0, 32);
  return `gitee:${hookId}:${hash}`;
}

function stringifyCanonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stringifyCanonical).join(',')}]`;
  if (isJsonRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stringifyCanonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
