import { createHash, timingSafeEqual } from 'node:crypto';

import { HookmuxError, type HookmuxErrorOptions } from '../errors/hookmux-error.js';

/** Real bodies nest a handful of levels; far deeper is an attack on recursive code. */
const maxJsonDepth = 64;

/** JSON text to a value, after verification; `host` names the host in the 400. */
export function parseHostBody(text: string, host: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HookmuxError('HM_ERR_HTTP_BAD_JSON', `the ${host} request body is not valid JSON`, {
      hint: `${host} 以 application/json 发送；请在 ${host} 的 Webhook 设置中选 Content type: application/json，并确认代理没有改写或截断请求体 / choose application/json in the ${host} webhook and check that no proxy rewrites the body`,
    });
  }
}

/**
 * Counted on the JSON text: one pass, no allocation, on every webhook. Safe before `JSON.parse`,
 * which a deeply nested body would otherwise drive into a stack overflow (a 500). `details` gives
 * the error's hint and `at` (default: `at: 'body'`, no hint).
 */
export function assertShallow(
  text: string,
  host: string,
  details: Pick<HookmuxErrorOptions, 'hint' | 'at'> = { at: 'body' },
): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxJsonDepth) {
        throw new HookmuxError(
          'HM_ERR_SRC_MALFORMED',
          `the ${host} body is nested deeper than ${maxJsonDepth} levels`,
          details,
        );
      }
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
}

/** Constant time, and without leaking the length: compare fixed-size digests. */
export function isSameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y);
}

/** A stable id when the host sent no delivery header: a hash of the body as sent. */
export function hashBody(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

/** Quoted, printable and short: these strings come from the caller and end up in logs. */
export function describeValue(value: string | undefined): string {
  if (value === undefined) return 'missing';
  const printable = value.replace(/[^\x20-\x7e\u4e00-\u9fff]/g, '?');
  return JSON.stringify(printable.length > 40 ? `${printable.slice(0, 40)}…` : printable);
}

/** Masks, anywhere in the body, any string equal to a configured secret, and credential-named keys. */
export function redactHostPayload(body: unknown, secrets: readonly string[]): unknown {
  const set = new Set(secrets.filter((s) => s.length > 0));
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') {
      if (set.has(value)) return '***';
      return key !== undefined && secretKeys.has(key.toLowerCase()) && value !== '' ? '***' : value;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
      return out;
    }
    return value;
  };
  return walk(body, undefined);
}

/** Keys that hold credentials in the bodies hosts send (Gogs/old Gitea echo the hook `secret`). */
const secretKeys = new Set(['secret', 'password', 'token', 'private_token', 'access_token', 'sign']);

/** A field the event needs is missing from a (verified) code-host body; `hint` names where to compare. */
export function createHostMalformedError(
  host: string,
  event: string,
  field: string,
  hint: string,
): HookmuxError {
  return new HookmuxError(
    'HM_ERR_SRC_MALFORMED',
    `${host} ${event} payload: ${field} is missing or not usable`,
    {
      hint,
      at: field,
    },
  );
}
