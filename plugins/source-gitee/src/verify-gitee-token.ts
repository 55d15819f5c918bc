import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { HookmuxError, readText } from '@hookmux/core';

import type { ReplayCache } from './replay-cache.js';

export type GiteeAuthMode = 'password' | 'signature';

/** What the request offers as proof: from the headers, or from the body when a proxy dropped them. */
export interface GiteeCredentials {
  readonly token: string | undefined;
  readonly timestamp: string | undefined;
  readonly from: 'header' | 'body';
}

export interface VerifyGiteeTokenOptions {
  /** `sources.gitee.secret`: the WebHook password or the signing key, both modes accept it. */
  readonly secret: string;
  /** The clock, epoch ms. */
  readonly now: number;
  /** How far the signed timestamp may be from `now`, either way (Gitee documents 1 h). */
  readonly windowMs: number;
  /** Refuses a second use of a `(timestamp, signature)` pair; omitted, no replay check. */
  readonly replayCache?: ReplayCache;
}

const secretHint = 'check the WebHook password/signing key in Gitee against sources.gitee.secret';

/** `base64(HMAC-SHA256(key = secret, msg = timestamp + "\n" + secret))`: gitee-webhooks.md §2b. */
export function signGiteeTimestamp(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The token and timestamp, preferring the headers. Gitee sends an empty `X-Gitee-Token` when the
 * hook has no secret, so empty means absent; the body then has the same material (`password` in
 * password mode, `sign` + `timestamp` in signature mode).
 */
export function readGiteeCredentials(
  headers: Readonly<Record<string, string | undefined>>,
  body?: unknown,
): GiteeCredentials {
  const headerToken = headers['x-gitee-token']?.trim();
  const headerTimestamp = headers['x-gitee-timestamp']?.trim() || undefined;
  if (headerToken)
    return { token: headerToken, timestamp: headerTimestamp ?? readText(body, 'timestamp'), from: 'header' };
  const token = readText(body, 'sign') ?? readText(body, 'password');
  return { token, timestamp: headerTimestamp ?? readText(body, 'timestamp'), from: 'body' };
}

/**
 * Checks the credentials against the one configured secret, in password mode (the token is the
 * secret) or signature mode (the token signs the timestamp), in constant time. Throws a 401
 * HookmuxError whose message never contains the secret or the received token.
 */
export async function verifyGiteeToken(
  credentials: GiteeCredentials,
  options: VerifyGiteeTokenOptions,
): Promise<GiteeAuthMode> {
  const { token, timestamp } = credentials;
  if (token === undefined || token === '') {
    throw new HookmuxError(
      'HM_ERR_SRC_NO_TOKEN',
      'the Gitee request carries no WebHook password or signature',
      {
        hint: 'set a WebHook password or signing key on the hook in Gitee equal to sources.gitee.secret (or set the secret to none to accept unauthenticated hooks)',
        at: 'X-Gitee-Token',
      },
    );
  }
  const candidates = decodeCandidates(token);
  if (candidates.some((c) => isSameText(c, options.secret))) return 'password';

  if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp)) {
    throw new HookmuxError(
      'HM_ERR_SRC_SIGNATURE',
      'the Gitee token is not the password, and there is no valid timestamp to check it as a signature',
      { hint: secretHint, at: 'X-Gitee-Timestamp' },
    );
  }
  const expected = signGiteeTimestamp(timestamp, options.secret);
  const matched = candidates.find((c) => isSameText(c, expected));
  if (matched === undefined) {
    throw new HookmuxError(
      'HM_ERR_SRC_SIGNATURE',
      'the Gitee token matches neither the password nor the signature',
      {
        hint: secretHint,
        at: 'X-Gitee-Token',
      },
    );
  }

  const skew = options.now - Number(timestamp);
  if (Math.abs(skew) > options.windowMs) {
    throw new HookmuxError(
      'HM_ERR_SRC_STALE_TIMESTAMP',
      `the Gitee timestamp ${timestamp} is ${formatSpan(Math.abs(skew))} ${skew > 0 ? 'old' : 'in the future'} (window ${formatSpan(options.windowMs)})`,
      {
        hint: "check this server's clock (NTP) and sources.gitee.timestampWindow; Gitee signs the time of sending, so an old delivery re-posted later is refused on purpose",
        at: 'X-Gitee-Timestamp',
      },
    );
  }

  if (options.replayCache) {
    // Keyed by the expected signature, not the received text, so `%2B` and `+` are one pair.
    const fresh = await options.replayCache.remember(
      `gitee\n${timestamp}\n${expected}`,
      Number(timestamp) + options.windowMs + 1,
      options.now,
    );
    if (!fresh) {
      throw new HookmuxError(
        'HM_ERR_SRC_REPLAY',
        `the Gitee (timestamp, signature) pair for ${timestamp} was already used`,
        {
          hint: 'Gitee signs only the timestamp, not the body, so a repeated signature is refused; if you re-sent a delivery by hand, send a new one from Gitee instead',
          at: 'X-Gitee-Token',
        },
      );
    }
  }
  return 'signature';
}

/**
 * Gitee sends raw base64, but its docs (copied from DingTalk's) say to URL-encode it, so some
 * proxies and hand-made requests send `%2B`: accept both spellings.
 */
function decodeCandidates(token: string): string[] {
  if (!token.includes('%')) return [token];
  try {
    return [token, decodeURIComponent(token)];
  } catch {
    return [token];
  }
}

/** Constant time, and without leaking the length: compare fixed-size digests. */
function isSameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y);
}

function formatSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
}
