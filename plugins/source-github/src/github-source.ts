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
  readText,
  type SourceContext,
  toHostHookEvent,
} from '@hookmux/core';

import { gitHubEventNames, gitHubEvents, isGitHubEvent, type GitHubEvent } from './github-event-names.js';
import { gitHubSamples } from './github-samples.js';
import { normalizeGitHubCheckSuite, normalizeGitHubWorkflowRun } from './normalize/normalize-github-ci.js';
import { normalizeGitHubComment } from './normalize/normalize-github-comment.js';
import { normalizeGitHubIssue } from './normalize/normalize-github-issue.js';
import {
  normalizeGitHubPullRequest,
  normalizeGitHubReview,
} from './normalize/normalize-github-pull-request.js';
import { normalizeGitHubPush, normalizeGitHubRefEvent } from './normalize/normalize-github-push.js';
import { normalizeGitHubRelease } from './normalize/normalize-github-release.js';
import { readGitHubCommon } from './normalize/read-github-common.js';
import { verifyGitHubSignature } from './verify-github-signature.js';

export const defaultGitHubPath = '/webhooks/github';
const secretName = 'GitHub Webhook Secret';

/**
 * GitHub repository and organisation webhooks (github.com and GitHub Enterprise Server):
 * verifies `X-Hub-Signature-256` over the raw body, then parses, and returns one HookEvent whose
 * `data` is the cross-host shape of the Gitee source (README.md lists the fields).
 */
@injectable()
export class GitHubSource extends CodeHostSource {
  readonly id = 'github';
  readonly eventNames = gitHubEventNames;
  readonly samples = gitHubSamples;
  readonly configSchema = buildHostConfigSchema(
    defaultGitHubPath,
    'The webhook Secret set in GitHub (signs every body with HMAC-SHA256); `none` accepts unsigned hooks.',
  );
  protected readonly defaultPath = defaultGitHubPath;
  protected readonly secretName = secretName;

  receive(request: InboundRequest, context: SourceContext): HookEvent {
    const settings = this.hostSettings(context.settings);
    // Verify over the bytes as sent, before reading a single field.
    if (settings.secret !== undefined && context.skipVerification !== true)
      verifyGitHubSignature(request.rawBody, request.headers, settings.secret);

    const { text, body } = readHostBody(request.rawBody, 'GitHub');

    const header = request.headers['x-github-event']?.trim().toLowerCase();
    if (header === undefined || !isGitHubEvent(header)) {
      throw new HookmuxError(
        'HM_ERR_SRC_UNKNOWN_HOOK',
        `unknown GitHub event (X-GitHub-Event ${describeValue(header)})`,
        {
          hint: `hookmux 处理 ${gitHubEvents.join(', ')}；请在 GitHub Webhook 的 "Let me select individual events" 中只勾选这些 / tick only these events in the GitHub webhook`,
          at: 'X-GitHub-Event',
        },
      );
    }
    const normalized = this.#normalize(header, body, context);
    return toHostHookEvent({
      source: this.id,
      delivery: request.headers['x-github-delivery']?.trim(),
      text,
      body,
      normalized,
      ping: header === 'ping',
      receivedAt: request.receivedAt,
      secret: settings.secret,
    });
  }

  #normalize(event: GitHubEvent, body: JsonRecord, context: SourceContext): NormalizedHook {
    return this.normalizeWith(
      () => {
        switch (event) {
          case 'ping':
            return normalizePing(body);
          case 'push':
            return normalizeGitHubPush(body);
          case 'create':
          case 'delete':
            return normalizeGitHubRefEvent(body, event);
          case 'issues':
            return normalizeGitHubIssue(body);
          case 'pull_request':
            return normalizeGitHubPullRequest(body);
          case 'pull_request_review':
            return normalizeGitHubReview(body);
          case 'issue_comment':
          case 'pull_request_review_comment':
          case 'commit_comment':
            return normalizeGitHubComment(body, event);
          case 'release':
            return normalizeGitHubRelease(body);
          case 'workflow_run':
            return normalizeGitHubWorkflowRun(body);
          case 'check_suite':
            return normalizeGitHubCheckSuite(body);
        }
      },
      {
        host: 'GitHub',
        event: event,
        hint: '与 GitHub Webhook 的 Recent Deliveries 中的记录对比 / compare the body with a delivery under Recent Deliveries',
      },
      context,
    );
  }
}

/** The "ping" GitHub sends when a webhook is added: verified and answered, routed only with `ping: true`. */
function normalizePing(body: JsonRecord): NormalizedHook {
  // An organisation or app hook's ping has no repository: name the hook's owner instead.
  const common = isJsonRecord(body['repository'])
    ? readGitHubCommon(body, 'ping', 'ping')
    : {
        ...readGitHubCommon(
          {
            ...body,
            repository: {
              full_name:
                readText(body['organization'], 'login') ?? readText(body['sender'], 'login') ?? 'github',
            },
          },
          'ping',
          'ping',
        ),
      };
  return {
    type: 'ping',
    action: undefined,
    branch: undefined,
    tag: undefined,
    url: common.repo.url,
    summary: `GitHub webhook ping for ${common.repo.fullName}: ${readText(body, 'zen') ?? 'hello'}`,
    data: {
      ...common,
      mentions: [],
      zen: readText(body, 'zen'),
      hookId: readText(body, 'hook_id'),
    } as unknown as NormalizedHook['data'],
  };
}
