import { createHash } from 'node:crypto';

/** Fields a client changes when it signs the same message again. */
const volatileFields = new Set(['timestamp', 'sign']);

/**
 * `feishu:<hash>`, the hash over the robot token and the parsed body minus `timestamp` and
 * `sign`, keys sorted: a client's retry (re-signed or re-serialised) is the same event, so the
 * outbox delivers it once. The token is hashed, never shown: it is the robot's credential.
 */
export function deriveFeishuEventId(token: string, body: Readonly<Record<string, unknown>>): string {
  const stable = Object.fromEntries(Object.entries(body).filter(([k]) => !volatileFields.has(k)));
  const hash = createHash('sha256')
    .update(token, 'utf8')
    .update('\n')
    .update(stringifyCanonical(stable), 'utf8')
    .digest('hex')
    .slice(0, 32);
  return `feishu:${hash}`;
}

function stringifyCanonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stringifyCanonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stringifyCanonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
