import { createHash } from 'node:crypto';

/** How long an unsigned message's retry still counts as the same message. */
export const dingTalkDedupWindowMs = 10 * 60 * 1000;

export interface DingTalkEventIdInput {
  readonly token: string;
  readonly rawBody: Buffer;
  /** The signing timestamp, when the request is signed. */
  readonly timestamp: string | undefined;
  readonly receivedAt: number;
}

/**
 * DingTalk sends no message id, and a robot legitimately posts the same text many times (the
 * same alert every hour), so the id cannot be the body alone. A client's retry repeats the
 * request exactly: signed requests repeat the signing timestamp (a new message is signed anew),
 * so (token, timestamp, body) tells a retry from a repeat; unsigned ones are taken as retries
 * within a 10-minute window. The token is hashed, never shown.
 */
export function deriveDingTalkEventId(input: DingTalkEventIdInput): string {
  const moment =
    input.timestamp !== undefined && input.timestamp !== ''
      ? `ts:${input.timestamp}`
      : `window:${Math.floor(input.receivedAt / dingTalkDedupWindowMs)}`;
  const hash = createHash('sha256')
    .update(input.token, 'utf8')
    .update('\n')
    .update(moment)
    .update('\n')
    .update(input.rawBody)
    .digest('hex')
    .slice(0, 32);
  return `dingtalk:${hash}`;
}
