import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { HookmuxError } from '@hookmux/core';

/** DingTalk allows the signing timestamp to be one hour off the server clock (robots.md §2.2). */
export const dingTalkTimestampWindowMs = 60 * 60 * 1000;

/**
 * DingTalk's 加签: HMAC-SHA256 with the secret as the key over `timestamp + "\n" + secret`,
 * base64 (robots.md §2.2). The result is raw base64; a sender URL-encodes it once.
 */
export function signDingTalkTimestamp(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export interface DingTalkSignatureInput {
  /** The `timestamp` query value (ms). */
  readonly timestamp: string | undefined;
  /** The `sign` query value, already query-decoded once. */
  readonly sign: string | undefined;
}

export interface VerifyDingTalkSignatureOptions {
  readonly secret: string;
  readonly now: number;
  readonly windowMs?: number;
}

/**
 * Throws `HM_ERR_SRC_STALE_TIMESTAMP` (DingTalk: 310000 "invalid timestamp") or
 * `HM_ERR_SRC_SIGNATURE` (310000 "sign not match"). The timestamp is checked first, as DingTalk
 * does, so a stale but correctly signed request is told about its clock, not its secret.
 */
export function verifyDingTalkSignature(
  input: DingTalkSignatureInput,
  options: VerifyDingTalkSignatureOptions,
): void {
  const windowMs = options.windowMs ?? dingTalkTimestampWindowMs;
  const timestamp = input.timestamp?.trim() ?? '';
  // Milliseconds only: a seconds value (Feishu's unit) is 1000× too small and must fail here.
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(options.now - Number(timestamp)) > windowMs) {
    throw new HookmuxError(
      'HM_ERR_SRC_STALE_TIMESTAMP',
      'the DingTalk signing timestamp is missing or not within 1 hour',
      {
        hint: 'send &timestamp= in milliseconds (Date.now()) from a machine with a correct clock, and sign again at least hourly',
        at: 'timestamp',
      },
    );
  }
  // Query decoding turns a `+` the client did not encode into a space (robots.md §4).
  const sign = (input.sign ?? '').trim().replace(/ /g, '+');
  const expected = signDingTalkTimestamp(timestamp, options.secret);
  if (sign === '' || !isSameText(sign, expected)) {
    throw new HookmuxError('HM_ERR_SRC_SIGNATURE', 'the DingTalk signature does not match', {
      hint: "check the robot's secret (SEC…) against sources.dingtalk.robots.<token>.secret, and URL-encode the base64 sign exactly once",
      at: 'sign',
    });
  }
}

/** Constant time whatever the lengths: both sides are hashed to equal-length digests first. */
function isSameText(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}
