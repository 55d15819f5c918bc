import type { DeliveryResult } from '@hookmux/core';

/** 130101 "send too fast, exceed 20 times per minute": the rest of the minute. */
export const dingTalkThrottleWaitMs = 60_000;
/** 410100: DingTalk throttles an over-eager robot for 10 minutes (robots.md §2.4, D11). */
export const dingTalkPenaltyWaitMs = 10 * 60_000;

/**
 * Codes no retry can fix (robots.md §2.5): security check (310000), bad or removed token
 * (300001, 300005, 400101, 400106), robot disabled (400102), group dissolved (400013), message
 * refused (400105, 400402, 40035, 43004), content moderation (430101–430104).
 */
export const permanentDingTalkCodes: ReadonlySet<number> = new Set([
  310000, 300001, 300005, 400013, 400101, 400102, 400105, 400106, 400402, 40035, 43004, 430101, 430102,
  430103, 430104,
]);

/**
 * What a DingTalk answer means for delivery. DingTalk answers HTTP 200 with the outcome in
 * `errcode` even when it refuses (robots.md §2.5), so the body decides. Unknown non-zero codes are
 * permanent, for the reason the WeCom sink gives: a retry repeats a parameter error and spends the
 * robot's 20 messages a minute.
 */
export function classifyDingTalkAnswer(status: number, bodyText: string): DeliveryResult {
  if (status >= 500)
    return {
      ok: false,
      kind: 'retryable',
      code: `http_${status}`,
      detail: `HTTP ${status} from the DingTalk robot endpoint`,
    };
  const answer = parseAnswer(bodyText);
  if (answer === undefined) {
    if (status === 429)
      return {
        ok: false,
        kind: 'throttled',
        code: 'http_429',
        detail: 'HTTP 429 from the DingTalk robot endpoint',
        retryAfterMs: dingTalkThrottleWaitMs,
      };
    if (status >= 400)
      return {
        ok: false,
        kind: 'permanent',
        code: `http_${status}`,
        detail: `HTTP ${status} from the DingTalk robot endpoint: check the webhook URL`,
      };
    return {
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
      detail: `HTTP ${status} with a body that is not a DingTalk answer`,
    };
  }
  const { errcode, errmsg } = answer;
  if (errcode === 0) return { ok: true, code: 0 };
  const detail = `DingTalk errcode ${errcode}: ${errmsg}`;
  if (errcode === 130101)
    return { ok: false, kind: 'throttled', code: errcode, detail, retryAfterMs: dingTalkThrottleWaitMs };
  if (errcode === 410100)
    return { ok: false, kind: 'throttled', code: errcode, detail, retryAfterMs: dingTalkPenaltyWaitMs };
  if (errcode === -1) return { ok: false, kind: 'retryable', code: errcode, detail };
  return {
    ok: false,
    kind: 'permanent',
    code: errcode,
    detail: permanentDingTalkCodes.has(errcode) ? detail : `${detail} (unknown code, not retried)`,
  };
}

function parseAnswer(bodyText: string): { errcode: number; errmsg: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const { errcode, errmsg } = parsed;
  if (typeof errcode !== 'number' || !Number.isInteger(errcode)) return undefined;
  return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
