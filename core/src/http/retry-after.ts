/** The longest wait a `Retry-After` header is taken at; a larger one is read as this (a typo, or a proxy's idea). */
export const maxRetryAfterMs = 3_600_000;

/**
 * A `Retry-After` header (RFC 9110 §10.2.3) in ms: delay-seconds (`3`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, counted from `now`; a past date is 0). Undefined when the
 * header is missing or not one of the two, so the caller's own wait applies.
 */
export function readRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, maxRetryAfterMs);
  // Only dates that name a day: `Date.parse` would also take "3 s" or "soon 5".
  if (!/^[A-Za-z]{3},? /.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), maxRetryAfterMs);
}
