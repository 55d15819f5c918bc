import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { HookmuxError } from '@hookmux/core';

/**
 * Feishu's signature (robots.md §3.2): the HMAC key is `timestamp + "\n" + secret` and the
 * message is EMPTY, base64. The reverse of DingTalk's (key = secret): mixing the two up is the
 * usual cause of 19021.
 */
export function signFeishuTimestamp(timestamp: string, secret: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

export interface VerifyFeishuSignatureOptions {
  readonly secret: string;
  /** Epoch ms. */
  readonly now: number;
  readonly windowMs: number;
}

const signHint =
  'the client must put `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = "")) in the JSON body, with the secret set on this robot in sources.feishu.robots';

/**
 * Checks the body's `timestamp` and `sign`. The timestamp may be a string (as the doc sends it)
 * or a number (robots.md §3.2 leaves that open, so both are accepted). Throws a 401 HookmuxError
 * whose text never quotes the secret or the received sign.
 */
export function verifyFeishuSignature(
  body: Readonly<Record<string, unknown>>,
  options: VerifyFeishuSignatureOptions,
): void {
  const rawTimestamp = body['timestamp'];
  const sign = body['sign'];
  const timestamp =
    typeof rawTimestamp === 'number' && Number.isInteger(rawTimestamp)
      ? String(rawTimestamp)
      : typeof rawTimestamp === 'string'
        ? rawTimestamp.trim()
        : undefined;
  if (timestamp === undefined || typeof sign !== 'string' || sign === '') {
    throw new HookmuxError('HM_ERR_SRC_NO_TOKEN', 'the Feishu message carries no timestamp and sign', {
      hint: signHint,
      at: 'body.sign',
    });
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new HookmuxError('HM_ERR_SRC_STALE_TIMESTAMP', 'the Feishu timestamp is not a number of seconds', {
      hint: signHint,
      at: 'body.timestamp',
    });
  }
  const skewMs = options.now - Number(timestamp) * 1000;
  if (Math.abs(skewMs) > options.windowMs) {
    throw new HookmuxError(
      'HM_ERR_SRC_STALE_TIMESTAMP',
      `the Feishu timestamp ${timestamp} is ${Math.round(Math.abs(skewMs) / 60_000)} min ${skewMs > 0 ? 'old' : 'in the future'} (window 60 min)`,
      {
        hint: "check the client's and this server's clocks (NTP); Feishu wants seconds, not milliseconds",
        at: 'body.timestamp',
      },
    );
  }
  if (!isSameText(sign, signFeishuTimestamp(timestamp, options.secret))) {
    throw new HookmuxError('HM_ERR_SRC_SIGNATURE', 'the Feishu sign does not match', {
      hint: signHint,
      at: 'body.sign',
    });
  }
}

/** Constant time, without leaking the length: compare fixed-size digests. */
function isSameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y);
}
