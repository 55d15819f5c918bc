import { parseJsonObject, readRetryAfterMs, type DeliveryResult, type RobotAnswer } from '@hookmux/core';

/**
 * After 11232 Feishu does not say how long to wait (a `Retry-After` header, when a gateway sends
 * one, wins). Ten seconds clears its 5-per-second window
 * and the load spikes at :00 and :30 its guide warns about (robots.md §3.4); a further 11232
 * backs off again.
 */
export const feishuThrottleWaitMs = 10_000;

/** Codes no retry fixes: bad request or size, bad token, bad msg_type, sign, IP, keywords (robots.md §3.5). */
export const permanentFeishuCodes: ReadonlySet<number> = new Set([9499, 19001, 19002, 19021, 19022, 19024]);

/** Seen next to 11232 when near the limit (robots.md §3.5, F7); meaning unconfirmed, so retried. */
const retryableCodes: ReadonlySet<number> = new Set([2200]);

/**
 * What a Feishu answer means for delivery. The body's `code` decides (not the legacy
 * `StatusCode`); a non-2xx status is a failure even with `code: 0`, and a status with no Feishu
 * body is judged by the status alone. Unknown non-zero codes are permanent, like the WeCom sink:
 * a dead letter keeps the message and its reason, and can be replayed. A `Retry-After` header
 * (seconds or an HTTP date) on a 429, a 5xx, a 408 or an 11232 sets `retryAfterMs`.
 */
export function classifyFeishuAnswer({ status, headers, text }: RobotAnswer): DeliveryResult {
  const answer = parseFeishuAnswer(text);
  const ok2xx = status >= 200 && status < 300;
  const retryAfterMs = readRetryAfterMs(headers);
  if (answer === undefined || (answer.code === 0 && !ok2xx)) {
    if (status >= 500 || status === 408)
      return {
        ok: false,
        kind: 'retryable',
        code: `http_${status}`,
        detail: `HTTP ${status} from the Feishu hook endpoint`,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    if (status === 429)
      return {
        ok: false,
        kind: 'throttled',
        code: 'http_429',
        detail: 'HTTP 429 from the Feishu hook endpoint',
        retryAfterMs: retryAfterMs ?? feishuThrottleWaitMs,
      };
    if (!ok2xx)
      return {
        ok: false,
        kind: 'permanent',
        code: `http_${status}`,
        detail: `HTTP ${status} from the Feishu hook endpoint: check the webhook URL`,
      };
    return {
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
      detail: `HTTP ${status} with a body that is not a Feishu answer`,
    };
  }
  const { code, msg } = answer;
  if (code === 0) return { ok: true, code: 0 };
  const detail = `Feishu code ${code}: ${msg}${ok2xx ? '' : ` (HTTP ${status})`}`;
  if (code === 11232 || status === 429)
    return { ok: false, kind: 'throttled', code, detail, retryAfterMs: retryAfterMs ?? feishuThrottleWaitMs };
  if (retryableCodes.has(code)) return { ok: false, kind: 'retryable', code, detail };
  return {
    ok: false,
    kind: 'permanent',
    code,
    detail: permanentFeishuCodes.has(code) ? detail : `${detail} (unknown code, not retried)`,
  };
}

function parseFeishuAnswer(bodyText: string): { code: number; msg: string } | undefined {
  const record = parseJsonObject(bodyText);
  if (record === undefined) return undefined;
  // `code` is the answer; older gateways sent only the legacy StatusCode/StatusMessage pair.
  const code = typeof record['code'] === 'number' ? record['code'] : record['StatusCode'];
  if (typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  const msg = record['msg'] ?? record['StatusMessage'];
  return { code, msg: typeof msg === 'string' ? msg : '' };
}
