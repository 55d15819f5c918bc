import { createHmac } from 'node:crypto';

/**
 * Adds DingTalk's `&timestamp=&sign=` (robots.md §2.2): HMAC-SHA256, key = secret, message =
 * `ts\nsecret`, base64, URL-encoded exactly once. Signed per request, so a retry hours later
 * is still within DingTalk's one-hour window.
 */
export function signDingTalkUrl(url: string, secret: string, now: number = Date.now()): string {
  const timestamp = String(now);
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
}
