import { createHmac } from 'node:crypto';

/**
 * `timestamp` (seconds, as a string like the doc's example and go-lark) and `sign` =
 * base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")), for the JSON body
 * (robots.md §3.2). Signed per request, so a retry an hour later is still fresh.
 */
export function signFeishuRequest(secret: string, nowMs: number): { timestamp: string; sign: string } {
  const timestamp = Math.floor(nowMs / 1000).toString();
  const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return { timestamp, sign };
}
