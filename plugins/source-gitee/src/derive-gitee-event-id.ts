import { createHash } from 'node:crypto';

import { readString } from '@hookmux/core';

/**
 * The values Gitee changes when it signs the same delivery again (`password`, `sign`,
 * `timestamp`), as they stand in the JSON text. Nested `timestamp`s (commit times) are blanked
 * too, which is harmless: they never differ between two copies of one delivery.
 */
const volatileValues = /"(password|sign|timestamp)"(\s*):(\s*)("(?:[^"\\]|\\.)*"|-?\d+|null)/g;

/**
 * Gitee sends no delivery id (gitee-webhooks.md §1). The id is `gitee:<hook_id>:<hash>`, the hash
 * taken over the body as sent with the values of `password`, `sign` and `timestamp` blanked. Why
 * not the timestamp, as robotlib does: Gitee's re-send, or a proxy retry re-signed with a new
 * timestamp, would then count as a new event and post the same message twice. The body itself
 * already differs between real events (`after` SHA for pushes, `updated_at` for issues and pull
 * requests, the comment id for notes). The hash is over the text, not a canonical re-encoding of
 * the parsed body: it is the hot path of every webhook, and a proxy that re-serialises a resend
 * differently costs at most one duplicate message, never a lost one.
 */
export function deriveGiteeEventId(body: unknown, rawText: string): string {
  const hookId = readString(body, 'hook_id') ?? 'nohook';
  const stable = rawText.replace(volatileValues, '"$1"$2:$3""');
  const hash = createHash('sha256').update(stable, 'utf8').digest('hex').slice(0, 32);
  return `gitee:${hookId}:${hash}`;
}
