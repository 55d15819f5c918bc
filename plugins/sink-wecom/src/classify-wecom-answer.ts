import type { DeliveryResult } from '@hookmux/core';

/** WeCom asks for at least the rest of its one-minute window after 45009 (robots.md §1.4). */
export const weComThrottleWaitMs = 60_000;

/** Busy or concurrency limits: worth another try after a back-off. */
const retryableCodes: ReadonlySet<number> = new Set([-1, 45033]);

/**
 * Codes that no retry can fix: a bad, removed or disabled robot (93000, 93004, 93006, 93008), a
 * message WeCom will never take (40008, 44004, 40058, 45002, 45008).
 */
export const permanentWeComCodes: ReadonlySet<number> = new Set([
  93000, 93004, 93006, 93008, 40008, 44004, 40058, 45002, 45008,
]);

/**
 * What a WeCom answer means for delivery. WeCom answers HTTP 200 with the outcome in `errcode`,
 * so the body decides; the status only matters when there is no WeCom body (a proxy's 5xx).
 *
 * Unknown non-zero codes are permanent: WeCom's global table is mostly parameter and permission
 * errors that a retry repeats, and each retry spends the robot's 20 messages a minute that
 * other messages need. A dead letter keeps the message and its reason, and can be replayed.
 */
export function classifyWeComAnswer(status: number, bodyText: string): DeliveryResult {
  if (status >= 500)
    return {
      ok: false,
      kind: 'retryable',
      code: `http_${status}`,
      detail: `HTTP ${status} from the WeCom robot endpoint`,
    };
  const answer = parseWeComAnswer(bodyText);
  if (answer === undefined) {
    if (status === 429)
      return {
        ok: false,
        kind: 'throttled',
        code: 'http_429',
        detail: 'HTTP 429 from the WeCom robot endpoint',
        retryAfterMs: weComThrottleWaitMs,
      };
    if (status >= 400)
      return {
        ok: false,
        kind: 'permanent',
        code: `http_${status}`,
        detail: `HTTP ${status} from the WeCom robot endpoint: check the webhook URL`,
      };
    return {
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
      detail: `HTTP ${status} with a body that is not a WeCom answer`,
    };
  }
  const { errcode, errmsg } = answer;
  if (errcode === 0) return { ok: true, code: 0 };
  const detail = `WeCom errcode ${errcode}: ${errmsg}`;
  if (errcode === 45009)
    return { ok: false, kind: 'throttled', code: errcode, detail, retryAfterMs: weComThrottleWaitMs };
  if (retryableCodes.has(errcode)) return { ok: false, kind: 'retryable', code: errcode, detail };
  return {
    ok: false,
    kind: 'permanent',
    code: errcode,
    detail: permanentWeComCodes.has(errcode) ? detail : `${detail} (unknown code, not retried)`,
  };
}

interface WeComAnswer {
  readonly errcode: number;
  readonly errmsg: string;
}

function parseWeComAnswer(bodyText: string): WeComAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { errcode, errmsg } = parsed as Record<string, unknown>;
  if (typeof errcode !== 'number' || !Number.isInteger(errcode)) return undefined;
  return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
}
