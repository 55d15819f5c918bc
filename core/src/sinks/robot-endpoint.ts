import { createHash } from 'node:crypto';

import { parseDuration } from '../config/parse-units.js';
import { HookmuxError } from '../errors/hookmux-error.js';

/** How one robot type names its endpoint in a `sinks.<name>` section. */
export interface RobotEndpointSpec {
  /** The `type:` (`wecom`), in the error for a section with no robot. */
  readonly type: string;
  /** The key that holds the credential alone, beside `webhook` (`key`, `accessToken`, `token`). */
  readonly credentialKey: string;
  /** The hint of that error (`set \`webhook\` to the robot URL, or \`key\` to ...`). */
  readonly hint: string;
  /** Where the credential is sent when `apiBase` is not set. */
  readonly defaultApiBase: string;
  /** The robot URL for a credential (already URL-encoded by the caller of this function, not here). */
  readonly urlFor: (apiBase: string, encodedCredential: string) => string;
  /** The credential inside a full `webhook` URL, so that it is masked too. */
  readonly credentialInUrl: (url: URL) => string | null | undefined;
}

/** What every robot section shares, read: where to send, what to mask, how long to wait. */
export interface RobotEndpoint {
  /** The robot URL with its credential. Secret. */
  readonly url: string;
  /** The signing secret (`secret:`), when the section has one. */
  readonly secret: string | undefined;
  /** Every credential (URL, key or token, signing secret), masked wherever text leaves the sink. */
  readonly secrets: readonly string[];
  /** The section's own `timeout:` in ms, when it has one. */
  readonly timeoutMs: number | undefined;
}

/**
 * Reads `webhook` or the credential key (exactly one), `apiBase`, `secret` and `timeout` of a
 * robot section. The schema already checked a loaded config; this still checks what sending
 * cannot do without, because `toRequestBody` and `send` may get hand-built targets. The error
 * never quotes the URL or the credential.
 */
export function readRobotEndpoint(
  settings: Readonly<Record<string, unknown>>,
  spec: RobotEndpointSpec,
): RobotEndpoint {
  const webhook = nonEmptyString(settings['webhook']);
  const credential = nonEmptyString(settings[spec.credentialKey]);
  if ((webhook === undefined) === (credential === undefined)) {
    throw new HookmuxError(
      'HM_ERR_CFG_INVALID',
      `a ${spec.type} sink needs exactly one of \`webhook\` and \`${spec.credentialKey}\``,
      { hint: spec.hint },
    );
  }
  const base = (nonEmptyString(settings['apiBase']) ?? spec.defaultApiBase).replace(/\/+$/, '');
  const url = webhook ?? spec.urlFor(base, encodeURIComponent(credential ?? ''));
  const secret = nonEmptyString(settings['secret']);
  const inUrl = URL.canParse(url) ? nonEmptyString(spec.credentialInUrl(new URL(url))) : undefined;
  return {
    url,
    secret,
    secrets: [
      url,
      ...[credential, secret].filter((s): s is string => s !== undefined),
      // Taken from the URL's shape, so only where it looks like a credential, not a path word.
      ...(inUrl !== undefined && inUrl.length >= 4 ? [inUrl] : []),
    ],
    timeoutMs: readSinkTimeoutMs(settings),
  };
}

/**
 * A section's own `timeout:` in ms: the `timeoutMs` that loading the config adds, else its
 * `timeout` (`5000`, `"500ms"`, `"5s"`, `"1m"`) on a hand-built target; undefined when unset or
 * unreadable (the schema refuses those in a loaded config).
 */
export function readSinkTimeoutMs(settings: Readonly<Record<string, unknown>>): number | undefined {
  const loaded = settings['timeoutMs'];
  if (typeof loaded === 'number' && Number.isFinite(loaded) && loaded > 0) return loaded;
  const raw = settings['timeout'];
  if (typeof raw !== 'number' && typeof raw !== 'string') return undefined;
  try {
    const ms = parseDuration(raw);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** A robot's identity for shared rate limits: a hash of its URL, so that the key never shows. */
export function hashRobotUrl(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
