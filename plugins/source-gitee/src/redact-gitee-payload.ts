import { isJsonRecord } from '@hookmux/core';

export const redactedMark = '***';

/** Top-level names that hold credentials, whatever their neighbours. */
const secretNames = new Set([
  'password',
  'sign',
  'signature',
  'secret',
  'token',
  'access_token',
  'private_token',
  'key',
  'api_key',
  'apikey',
  'auth',
  'authorization',
]);

/**
 * Top-level string fields Gitee itself sends (gitee-webhooks.md §1, §4). Gitee copies the hook
 * URL's query parameters into the body as extra top-level strings (`?token=` → `"token"`,
 * `?webHookName=` → `"webHookName"`), and a query parameter is where people put secrets, so any
 * top-level string that is not one of these is masked too.
 */
const giteeStringFields = new Set([
  'hook_name',
  'hook_url',
  'timestamp',
  'action',
  'action_desc',
  'ref',
  'before',
  'after',
  'compare',
  'user_name',
  'title',
  'description',
  'body',
  'state',
  'milestone',
  'iid',
  'url',
  'merge_status',
  'merge_commit_sha',
  'source_branch',
  'target_branch',
  'note',
  'noteable_type',
  'per_iid',
  'short_commit_id',
  'msgtype',
  'created_at',
  'updated_at',
]);

export interface RedactOptions {
  /** Values to mask wherever they appear as a whole string (the configured secret). */
  readonly secrets?: readonly string[];
}

/**
 * A copy of the parsed body that is safe to store, log and show: `password`, `sign` and echoed
 * query parameters become `"***"` (empty ones stay empty, which says "no password was set"), and
 * any string anywhere that equals a configured secret is masked too.
 */
export function redactGiteePayload(body: unknown, options: RedactOptions = {}): unknown {
  const secrets = new Set((options.secrets ?? []).filter((s) => s.length > 0));
  const masked = maskSecretValues(body, secrets);
  if (!isJsonRecord(masked)) return masked;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(masked)) {
    out[name] = isSecretField(name, value) ? redactedMark : value;
  }
  return out;
}

function isSecretField(name: string, value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  return secretNames.has(name.toLowerCase()) || !giteeStringFields.has(name);
}

function maskSecretValues(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (secrets.size === 0) return value;
  if (typeof value === 'string') return secrets.has(value) ? redactedMark : value;
  if (Array.isArray(value)) return value.map((v) => maskSecretValues(v, secrets));
  if (isJsonRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecretValues(v, secrets);
    return out;
  }
  return value;
}
