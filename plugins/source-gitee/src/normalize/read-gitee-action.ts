import { readText, type JsonRecord } from '@hookmux/core';

import { createMalformedError } from './create-malformed-error.js';

/**
 * The body `action`, with known aliases folded (`test` → `tested`). An action Gitee adds later
 * passes through as it is, so routes can still match it and templates fall back to the kind's
 * generic template, instead of Gitee seeing a failed delivery.
 */
export function readGiteeAction(
  body: JsonRecord,
  hookName: string,
  aliases: Readonly<Record<string, string>> = {},
): string {
  const raw = readText(body, 'action')?.trim().toLowerCase();
  if (raw === undefined) throw createMalformedError(hookName, 'action');
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(raw))
    throw createMalformedError(hookName, 'action', 'is not an action name');
  return aliases[raw] ?? raw;
}
