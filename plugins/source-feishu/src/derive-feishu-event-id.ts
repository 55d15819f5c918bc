import { createHash } from 'node:crypto';

/** How long an unsigned message's retry still counts as the same message. */
export const feishuDedupWindowMs = 10 * 60 * 1000;

/** Fields a client changes when it signs the same message again. */
const volatileFields = new Set(['timestamp', 'sign']);

/**
 * `feishu:<hash>`. Feishu sends no message id, and a bot legitimately posts the same text many
 * times (the same alert every hour), so the id cannot be the body alone; nor can it include the
 * signing timestamp, since clients sign each try afresh. So the same content from the same robot
 * within one 10-minute window is one event (a retry), and again later it is a new one. The token
 * is hashed, never shown: it is the robot's credential.
 */
export function deriveFeishuEventId(
  token: string,
  body: Readonly<Record<string, unknown>>,
  receivedAt: number,
): string {
  const moment = `window:${Math.floor(receivedAt / feishuDedupWindowMs)}`;
  const stable = Object.fromEntries(Object.entries(body).filter(([k]) => !volatileFields.has(k)));
  const hash = createHash('sha256')
    .update(token, 'utf8')
    .update('\n')
    .update(moment)
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
