import { toEventName, type HookEvent } from '../contracts/hook-event.js';
import { HookmuxError } from '../errors/hookmux-error.js';

import { assertShallow, hashBody, parseHostBody, redactHostPayload } from './body-guards.js';
import type { NormalizedHook } from './hook-data.js';
import { isJsonRecord, type JsonRecord } from './json-reader.js';

/** A verified body: the text as sent (without a BOM) and its JSON object. */
export interface HostBody {
  readonly text: string;
  readonly body: JsonRecord;
}

/** After verification (over the bytes as sent): parse, insist on an object, guard the depth. */
export function readHostBody(rawBody: Buffer, host: string): HostBody {
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  const body = parseHostBody(text, host);
  if (!isJsonRecord(body))
    throw new HookmuxError('HM_ERR_SRC_MALFORMED', `the ${host} body is not a JSON object`, { at: 'body' });
  assertShallow(text, host);
  return { text, body };
}

/** What a code-host source has once it has read its host's headers and wire format. */
export interface HostEventParts extends HostBody {
  /** The source id (`github`), also the event id's prefix. */
  readonly source: string;
  /** The host's delivery id header, if any; a body hash stands in when absent or odd. */
  readonly delivery: string | undefined;
  readonly normalized: NormalizedHook;
  readonly ping: boolean;
  readonly receivedAt: number;
  /** Masked wherever it appears in the payload. */
  readonly secret: string | undefined;
}

/** The HookEvent of a code-host hook: the same fields, in the same order, for every host. */
export function toHostHookEvent(parts: HostEventParts): HookEvent {
  const { source, delivery, normalized } = parts;
  const { data } = normalized;
  return {
    // A host's "Redeliver" re-sends the same delivery id: one id, one message per target.
    id: `${source}:${delivery && /^[\w-]{1,100}$/.test(delivery) ? delivery : hashBody(parts.text)}`,
    source,
    type: normalized.type,
    ...(normalized.action === undefined ? {} : { action: normalized.action }),
    name: toEventName(source, normalized.type, normalized.action),
    repo: data.repo.fullName,
    ...(normalized.branch === undefined ? {} : { branch: normalized.branch }),
    ...(normalized.tag === undefined ? {} : { tag: normalized.tag }),
    ...(data.actor.login === undefined ? {} : { actor: data.actor.login }),
    ping: parts.ping,
    receivedAt: parts.receivedAt,
    ...(normalized.url === undefined ? {} : { url: normalized.url }),
    summary: normalized.summary,
    // Also masks a secret a host echoes in the body (2017–2018 Gitea sent `"secret": "..."`).
    payload: redactHostPayload(parts.body, parts.secret === undefined ? [] : [parts.secret]),
    data: data as unknown as Readonly<Record<string, unknown>>,
  };
}
