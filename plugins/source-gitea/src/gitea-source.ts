import {
  buildHostConfigSchema,
  CodeHostSource,
  describeValue,
  type HookEvent,
  HookmuxError,
  type InboundRequest,
  injectable,
  isJsonRecord,
  type JsonRecord,
  type NormalizedHook,
  readHostBody,
  readRecord,
  readText,
  type SourceContext,
  toHostHookEvent,
} from '@hookmux/core';

import { giteaEventNames, giteaEvents, isGiteaEvent, type GiteaEvent } from './gitea-event-names.js';
import { giteaSamples } from './gitea-samples.js';
import { normalizeForgejoActionRun, normalizeGiteaWorkflowRun } from './normalize/normalize-gitea-ci.js';
import { normalizeGiteaComment, normalizeGiteaIssue } from './normalize/normalize-gitea-issue.js';
import { normalizeGiteaPullRequest, normalizeGiteaReview } from './normalize/normalize-gitea-pull-request.js';
import { normalizeGiteaPush, normalizeGiteaRefEvent } from './normalize/normalize-gitea-push.js';
import { normalizeGiteaRelease } from './normalize/normalize-gitea-release.js';
import { verifyGiteaSignature } from './verify-gitea-signature.js';

export const defaultGiteaPath = '/webhooks/gitea';
const secretName = 'Gitea 密钥 (webhook Secret)';

/** The three spellings of each header, first found wins (Forgejo sends its own and Gitea's). */
function readHeader(
  headers: Readonly<Record<string, string | undefined>>,
  suffix: string,
): string | undefined {
  for (const host of ['gitea', 'forgejo', 'gogs']) {
    const value = headers[`x-${host}-${suffix}`]?.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * Gitea, Forgejo and Gogs repository webhooks (type "Gitea"/"Forgejo"/"Gogs" in the hook form):
 * verifies the HMAC-SHA256 signature over the raw body, then parses; GitHub-like bodies, one
 * HookEvent with the cross-host `data` shape.
 */
@injectable()
export class GiteaSource extends CodeHostSource {
  readonly id = 'gitea';
  readonly eventNames = giteaEventNames;
  readonly samples = giteaSamples;
  readonly configSchema = buildHostConfigSchema(
    defaultGiteaPath,
    'The webhook Secret (密钥) set in Gitea, Forgejo or Gogs (signs every body with HMAC-SHA256); `none` accepts unsigned hooks.',
  );
  protected readonly defaultPath = defaultGiteaPath;
  protected readonly secretName = secretName;

  receive(request: InboundRequest, context: SourceContext): HookEvent {
    const settings = this.hostSettings(context.settings);
    if (settings.secret !== undefined && context.skipVerification !== true)
      verifyGiteaSignature(request.rawBody, request.headers, settings.secret);

    const { text, body } = readHostBody(request.rawBody, 'Gitea');

    const header = readHeader(request.headers, 'event')?.toLowerCase();
    if (header === undefined || !isGiteaEvent(header)) {
      throw new HookmuxError(
        'HM_ERR_SRC_UNKNOWN_HOOK',
        `unknown Gitea event (X-Gitea-Event ${describeValue(header)})`,
        {
          hint: `hookmux 处理 ${giteaEvents.join(', ')}；请在 Gitea Web 钩子的“自定义事件”中只勾选这些 / tick only these events in the Gitea webhook`,
          at: 'X-Gitea-Event',
        },
      );
    }
    const normalized = this.#normalize(header, body, context);
    return toHostHookEvent({
      source: this.id,
      delivery: readHeader(request.headers, 'delivery'),
      text,
      body,
      normalized,
      ping: false,
      receivedAt: request.receivedAt,
      secret: settings.secret,
    });
  }

  #normalize(event: GiteaEvent, body: JsonRecord, context: SourceContext): NormalizedHook {
    return this.normalizeWith(
      () => {
        switch (event) {
          case 'push':
            return normalizeGiteaPush(body);
          case 'create':
          case 'delete':
            return normalizeGiteaRefEvent(body, event);
          case 'issues':
            return normalizeGiteaIssue(body);
          case 'issue_comment':
            return normalizeGiteaComment(body);
          case 'pull_request':
            return normalizeGiteaPullRequest(body);
          case 'pull_request_approved':
            return normalizeGiteaReview(body, 'approved');
          case 'pull_request_rejected':
            return normalizeGiteaReview(body, 'changes_requested');
          case 'pull_request_comment':
            // A review comment carries the pull request; a conversation comment is an issue_comment body.
            return isJsonRecord(body['comment']) && isJsonRecord(body['issue'])
              ? normalizeGiteaComment(body)
              : normalizeGiteaReview(body, 'comment');
          case 'pull_request_review':
            return normalizeGiteaReview(body, reviewVerdict(readText(readRecord(body, 'review'), 'type')));
          case 'release':
            return normalizeGiteaRelease(body);
          case 'workflow_run':
            return normalizeGiteaWorkflowRun(body);
          case 'action_run':
            return normalizeForgejoActionRun(body);
        }
      },
      {
        host: 'Gitea',
        event: event,
        hint: '与该 Web 钩子的“最近推送记录”对比 / compare the body with a recent delivery of the webhook',
      },
      context,
    );
  }
}

function reviewVerdict(type: string | undefined): 'approved' | 'changes_requested' | 'comment' {
  if (type?.endsWith('approved')) return 'approved';
  if (type?.endsWith('rejected')) return 'changes_requested';
  return 'comment';
}
