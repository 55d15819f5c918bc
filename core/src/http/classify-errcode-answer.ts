import type { DeliveryResult } from '../contracts/sink.js';

/** What one robot's `{errcode, errmsg}` answers mean (WeCom, DingTalk). */
export interface ErrcodeTable {
  /** `WeCom`, `DingTalk`: named in every detail. */
  readonly robot: string;
  /** Codes that mean "too fast", with how long to wait. */
  readonly throttled: ReadonlyMap<number, number>;
  /** Codes worth another try after a back-off (busy). */
  readonly retryable: ReadonlySet<number>;
  /** Codes known to be final; any other non-zero code is final too, marked as unknown. */
  readonly permanent: ReadonlySet<number>;
  /** The wait for an HTTP 429 that carries no robot answer. */
  readonly http429WaitMs: number;
}

/**
 * What a robot's answer means for delivery, for robots that answer HTTP 200 with the outcome in
 * `errcode` (robots.md §1.6, §2.5): the body decides; the status only matters when there is no
 * robot body (a proxy's 5xx, a wrong URL's 404).
 *
 * Unknown non-zero codes are permanent: these tables are mostly parameter and permission errors
 * that a retry repeats, and each retry spends the robot's 20 messages a minute that other
 * messages need. A dead letter keeps the message and its reason, and can be replayed.
 */
export function classifyErrcodeAnswer(status: number, bodyText: string, table: ErrcodeTable): DeliveryResult {
  const endpoint = `the ${table.robot} robot endpoint`;
  if (status >= 500) {
    return {
      ok: false,
      kind: 'retryable',
      code: `http_${status}`,
      detail: `HTTP ${status} from ${endpoint}`,
    };
  }
  const answer = parseErrcodeAnswer(bodyText);
  if (answer === undefined) {
    if (status === 429) {
      return {
        ok: false,
        kind: 'throttled',
        code: 'http_429',
        detail: `HTTP 429 from ${endpoint}`,
        retryAfterMs: table.http429WaitMs,
      };
    }
    if (status >= 400) {
      return {
        ok: false,
        kind: 'permanent',
        code: `http_${status}`,
        detail: `HTTP ${status} from ${endpoint}: check the webhook URL`,
      };
    }
    return {
      ok: false,
      kind: 'retryable',
      code: 'bad_body',
      detail: `HTTP ${status} with a body that is not a ${table.robot} answer`,
    };
  }
  const { errcode, errmsg } = answer;
  if (errcode === 0) return { ok: true, code: 0 };
  const detail = `${table.robot} errcode ${errcode}: ${errmsg}`;
  const wait = table.throttled.get(errcode);
  if (wait !== undefined) return { ok: false, kind: 'throttled', code: errcode, detail, retryAfterMs: wait };
  if (table.retryable.has(errcode)) return { ok: false, kind: 'retryable', code: errcode, detail };
  return {
    ok: false,
    kind: 'permanent',
    code: errcode,
    detail: table.permanent.has(errcode) ? detail : `${detail} (unknown code, not retried)`,
  };
}

function parseErrcodeAnswer(bodyText: string): { errcode: number; errmsg: string } | undefined {
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
