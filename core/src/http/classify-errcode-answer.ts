import type { DeliveryResult } from '../contracts/sink.js';
import type { RobotAnswer } from './post-to-robot.js';
import { readRetryAfterMs } from './retry-after.js';

/** What one robot's `{errcode, errmsg}` answers mean (WeCom, DingTalk). */
export interface ErrcodeTable {
  /** `WeCom`, `DingTalk`: named in every detail. */
  readonly robot: string;
  /** Codes that mean "too fast", with how long to wait when the answer has no `Retry-After`. */
  readonly throttled: ReadonlyMap<number, number>;
  /** Codes worth another try after a back-off (busy). */
  readonly retryable: ReadonlySet<number>;
  /** Codes known to be final; any other non-zero code is final too, marked as unknown. */
  readonly permanent: ReadonlySet<number>;
  /** The wait for an HTTP 429 that carries no `Retry-After`. */
  readonly http429WaitMs: number;
}

/**
 * What a robot's answer means for delivery, for robots that answer HTTP 200 with the outcome in
 * `errcode` (robots.md §1.6, §2.5): the body decides; the status only matters when there is no
 * robot body (a proxy's 5xx, a wrong URL's 404), and a 429 is "too fast" whatever the body says.
 * A `Retry-After` header (seconds or an HTTP date) on a 429, a 5xx or a "too fast" code sets
 * `retryAfterMs`; without one a "too fast" answer waits the table's time.
 *
 * Unknown non-zero codes are permanent: these tables are mostly parameter and permission errors
 * that a retry repeats, and each retry spends the robot's 20 messages a minute that other
 * messages need. A dead letter keeps the message and its reason, and can be replayed.
 */
export function classifyErrcodeAnswer(answer: RobotAnswer, table: ErrcodeTable): DeliveryResult {
  const { status } = answer;
  const endpoint = `the ${table.robot} robot endpoint`;
  const retryAfterMs = readRetryAfterMs(answer.headers);
  if (status >= 500) {
    return {
      ok: false,
      kind: 'retryable',
      code: `http_${status}`,
      detail: `HTTP ${status} from ${endpoint}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  const body = parseErrcodeAnswer(answer.text);
  if (status === 429 && (body === undefined || !table.throttled.has(body.errcode))) {
    return {
      ok: false,
      kind: 'throttled',
      code: 'http_429',
      detail: `HTTP 429 from ${endpoint}${body === undefined ? '' : ` (errcode ${body.errcode}: ${body.errmsg})`}`,
      retryAfterMs: retryAfterMs ?? table.http429WaitMs,
    };
  }
  if (body === undefined) {
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
  const { errcode, errmsg } = body;
  if (errcode === 0) return { ok: true, code: 0 };
  const detail = `${table.robot} errcode ${errcode}: ${errmsg}`;
  const wait = table.throttled.get(errcode);
  if (wait !== undefined)
    return { ok: false, kind: 'throttled', code: errcode, detail, retryAfterMs: retryAfterMs ?? wait };
  if (table.retryable.has(errcode)) return { ok: false, kind: 'retryable', code: errcode, detail };
  return {
    ok: false,
    kind: 'permanent',
    code: errcode,
    detail: table.permanent.has(errcode) ? detail : `${detail} (unknown code, not retried)`,
  };
}

function parseErrcodeAnswer(bodyText: string): { errcode: number; errmsg: string } | undefined {
  const parsed = parseJsonObject(bodyText);
  if (parsed === undefined) return undefined;
  const { errcode, errmsg } = parsed;
  if (typeof errcode !== 'number' || !Number.isInteger(errcode)) return undefined;
  return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
}

/** A robot's JSON body as an object, or undefined when it is not JSON or not an object. */
export function parseJsonObject(bodyText: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
}
