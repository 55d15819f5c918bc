import {
  assertShallow,
  HookmuxError,
  inject,
  injectable,
  isJsonRecord,
  toEventName,
  type HookEvent,
  type InboundRequest,
  type JsonRecord,
  type Source,
  type SourceContext,
  type SourceEndpoint,
} from '@hookmux/core';

import { giteeEventNames } from './gitee-event-names.js';
import { giteeSamples } from './gitee-samples.js';
import { deriveGiteeEventId } from './derive-gitee-event-id.js';
import { IssueStateMemory } from './issue-state-memory.js';
import type { GiteeHookData, NormalizedGiteeHook } from './normalize/gitee-hook-data.js';
import { normalizeIssueHook } from './normalize/normalize-issue-hook.js';
import { normalizeMergeRequestHook } from './normalize/normalize-merge-request-hook.js';
import { normalizeNoteHook } from './normalize/normalize-note-hook.js';
import { normalizePushHook } from './normalize/normalize-push-hook.js';
import { giteeConfigSchema, readGiteeSettings } from './read-gitee-settings.js';
import { redactGiteePayload } from './redact-gitee-payload.js';
import { ReplayCache } from './replay-cache.js';
import { resolveGiteeHookType } from './resolve-gitee-hook-type.js';
import { readGiteeCredentials, verifyGiteeToken } from './verify-gitee-token.js';

/**
 * Gitee repository webhooks: all five hook kinds, password and signature mode on one secret.
 * Verifies first, then reads the body defensively (Gitee sends `null` for empty things), and
 * returns one HookEvent whose `data` is the template-friendly view documented in README.md.
 */
@injectable()
export class GiteeSource implements Source {
  readonly id = 'gitee';
  readonly eventNames = giteeEventNames;
  readonly samples = giteeSamples;
  readonly configSchema = giteeConfigSchema;
  readonly secretKeys = ['secret'] as const;
  readonly #issueStates = new IssueStateMemory();

  constructor(@inject(ReplayCache) private readonly replayCache: ReplayCache) {}

  endpoints(settings: Readonly<Record<string, unknown>>): readonly SourceEndpoint[] {
    return [{ method: 'POST', path: readGiteeSettings(settings).path }];
  }

  checkSettings(settings: Readonly<Record<string, unknown>>): readonly string[] {
    const { secret } = readGiteeSettings(settings);
    if (secret === undefined) {
      return [
        'sources.gitee.secret is "none": Gitee hooks are accepted without a password or signature, so anyone who can reach this endpoint can post events; set a signing key in Gitee and here',
      ];
    }
    return secret.length < 12
      ? [
          'sources.gitee.secret is shorter than 12 characters; prefer a long random signing key (Gitee "签名密钥")',
        ]
      : [];
  }

  async receive(request: InboundRequest, context: SourceContext): Promise<HookEvent> {
    const settings = readGiteeSettings(context.settings);
    const { body, text } = parseGiteeBody(request.rawBody);
    // Dry runs (`hookmux render`, the admin playground) parse without a token; the HTTP path never sets it.
    if (settings.secret !== undefined && context.skipVerification !== true) {
      const credentials = readGiteeCredentials(request.headers, body);
      const mode = await verifyGiteeToken(credentials, {
        secret: settings.secret,
        now: context.now(),
        windowMs: settings.timestampWindowMs,
        // Storage shared by every instance (Redis) when there is one, else this process's memory.
        replayCache: context.rememberOnce ? { remember: context.rememberOnce } : this.replayCache,
      });
      context.logger.debug({ mode, from: credentials.from }, 'gitee hook verified');
    }

    // Only now, authenticated, is the content worth reading.
    if (!isJsonRecord(body))
      throw new HookmuxError('HM_ERR_SRC_MALFORMED', 'the Gitee body is not a JSON object', { at: 'body' });
    assertShallow(text, 'Gitee');
    if (isWeComFormat(body)) {
      throw new HookmuxError(
        'HM_ERR_SRC_WECOM_FORMAT',
        'Gitee sent a WeCom robot message, not a WebHook event',
        {
          hint: "in Gitee, add the hook as a plain WebHook with hookmux's URL (not as 企业微信/WeCom), so Gitee sends the event itself",
          at: 'msgtype',
        },
      );
    }

    const ping = request.headers['x-gitee-ping']?.trim().toLowerCase() === 'true';
    const type = resolveGiteeHookType(body, request.headers);
    const normalized = this.#normalize(type, body, ping, context);
    const { data } = normalized;
    return {
      id: deriveGiteeEventId(body, text),
      source: this.id,
      type,
      action: normalized.action,
      name: toEventName(this.id, type, normalized.action),
      repo: data.repo.fullName,
      ...(normalized.branch === undefined ? {} : { branch: normalized.branch }),
      ...(normalized.tag === undefined ? {} : { tag: normalized.tag }),
      ...(data.actor.login === undefined ? {} : { actor: data.actor.login }),
      ping,
      receivedAt: request.receivedAt,
      ...(normalized.url === undefined ? {} : { url: normalized.url }),
      summary: normalized.summary,
      payload: redactGiteePayload(body, {
        // The deep search for the secret's value is only worth it when the text holds it at all.
        secrets: settings.secret !== undefined && text.includes(settings.secret) ? [settings.secret] : [],
      }),
      data: data as unknown as Readonly<Record<string, unknown>>,
    };
  }

  #normalize(
    type: ReturnType<typeof resolveGiteeHookType>,
    body: JsonRecord,
    ping: boolean,
    context: SourceContext,
  ): NormalizedGiteeHook<GiteeHookData> {
    try {
      switch (type) {
        case 'push':
        case 'tag_push':
          return normalizePushHook(body, type);
        case 'issue':
          // Test deliveries carry canned demo issues, and dry runs (render, the admin playground)
          // did not happen: neither may change what the state memory says happened before.
          return normalizeIssueHook(
            body,
            ping || context.skipVerification === true
              ? {}
              : { recallState: (r, n, s) => this.#issueStates.recall(r, n, s) },
          );
        case 'merge_request':
          return normalizeMergeRequestHook(body);
        case 'note':
          return normalizeNoteHook(body);
      }
    } catch (error) {
      if (HookmuxError.is(error)) throw error;
      // Logged, because it means a reader missed a case worth fixing.
      context.logger.warn({ err: error, hook: type }, 'gitee payload could not be normalised');
      // A shape no reader anticipated: still the caller's 400, never a 500 with a stack.
      throw new HookmuxError('HM_ERR_SRC_MALFORMED', `the Gitee ${type} payload could not be read`, {
        hint: 'compare the body with a delivery in the Gitee hook log',
        cause: error,
      });
    }
  }
}

function parseGiteeBody(rawBody: Buffer): { body: unknown; text: string } {
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return { body: JSON.parse(text) as unknown, text };
  } catch {
    throw new HookmuxError('HM_ERR_HTTP_BAD_JSON', 'the Gitee request body is not valid JSON', {
      hint: 'Gitee sends application/json; check that no proxy rewrites or truncates the body',
    });
  }
}

/** A hook body whose URL was a WeCom robot's: Gitee rendered the message itself (push-6). */
function isWeComFormat(body: JsonRecord): boolean {
  return (
    typeof body['msgtype'] === 'string' && !isJsonRecord(body['repository']) && !isJsonRecord(body['project'])
  );
}
