import {
  buildHostConfigSchema,
  CodeHostSource,
  describeValue,
  type HookEvent,
  HookmuxError,
  type InboundRequest,
  injectable,
  type JsonRecord,
  type NormalizedHook,
  readHostBody,
  readText,
  type SourceContext,
  toHostHookEvent,
} from '@hookmux/core';

import { gitLabEventNames, gitLabHookTypes, gitLabObjectKinds } from './gitlab-event-names.js';
import { gitLabSamples } from './gitlab-samples.js';
import { normalizeGitLabJob, normalizeGitLabPipeline } from './normalize/normalize-gitlab-ci.js';
import { normalizeGitLabIssue } from './normalize/normalize-gitlab-issue.js';
import { normalizeGitLabMergeRequest } from './normalize/normalize-gitlab-merge-request.js';
import { normalizeGitLabNote } from './normalize/normalize-gitlab-note.js';
import { normalizeGitLabPush } from './normalize/normalize-gitlab-push.js';
import { normalizeGitLabRelease } from './normalize/normalize-gitlab-release.js';
import { verifyGitLabToken } from './verify-gitlab-token.js';

export const defaultGitLabPath = '/webhooks/gitlab';
const secretName = 'GitLab Secret token';

/**
 * GitLab project and group webhooks, gitlab.com and self-managed: checks `X-Gitlab-Token`, takes
 * the kind from the body's `object_kind` (the `X-Gitlab-Event` header when it is missing), and
 * de-duplicates on `Idempotency-Key` / `X-Gitlab-Event-UUID`.
 */
@injectable()
export class GitLabSource extends CodeHostSource {
  readonly id = 'gitlab';
  readonly eventNames = gitLabEventNames;
  readonly samples = gitLabSamples;
  readonly configSchema = buildHostConfigSchema(
    defaultGitLabPath,
    'The webhook "Secret token" set in GitLab (sent as X-Gitlab-Token); `none` accepts hooks without one.',
  );
  protected readonly defaultPath = defaultGitLabPath;
  protected readonly secretName = secretName;

  receive(request: InboundRequest, context: SourceContext): HookEvent {
    const settings = this.hostSettings(context.settings);
    if (settings.secret !== undefined && context.skipVerification !== true)
      verifyGitLabToken(request.headers, settings.secret);

    const { text, body } = readHostBody(request.rawBody, 'GitLab');

    const header = request.headers['x-gitlab-event']?.trim().toLowerCase().replace(/\s+/g, ' ');
    const objectKind = readText(body, 'object_kind');
    const fromKind = objectKind === undefined ? undefined : gitLabObjectKinds[objectKind];
    const fromHeader = header === undefined ? undefined : gitLabHookTypes[header];
    // The body is what GitLab meant; the header only says "confidential" and fills in for old bodies.
    const base = fromKind ?? fromHeader?.replace(/^confidential_/, '');
    if (base === undefined) {
      throw new HookmuxError(
        'HM_ERR_SRC_UNKNOWN_HOOK',
        `unknown GitLab hook (object_kind ${describeValue(objectKind)}, X-Gitlab-Event ${describeValue(header)})`,
        {
          hint: 'hookmux 处理 Push、Tag Push、Issue（含机密）、Merge Request、Note（含机密）、Pipeline、Job、Release 事件；请在 GitLab Webhook 的 Trigger 中只勾选这些 / tick only these triggers in the GitLab webhook',
          at: 'object_kind',
        },
      );
    }
    const normalized = this.#normalize(base, body, fromHeader?.startsWith('confidential_') === true, context);
    return toHostHookEvent({
      source: this.id,
      delivery: request.headers['idempotency-key']?.trim() || request.headers['x-gitlab-event-uuid']?.trim(),
      text,
      body,
      normalized,
      ping: false,
      receivedAt: request.receivedAt,
      secret: settings.secret,
    });
  }

  #normalize(type: string, body: JsonRecord, confidential: boolean, context: SourceContext): NormalizedHook {
    return this.normalizeWith(
      () => {
        switch (type) {
          case 'push':
          case 'tag_push':
            return normalizeGitLabPush(body, type);
          case 'issue':
            return normalizeGitLabIssue(body, confidential);
          case 'merge_request':
            return normalizeGitLabMergeRequest(body);
          case 'note':
            return normalizeGitLabNote(body, confidential);
          case 'pipeline':
            return normalizeGitLabPipeline(body);
          case 'job':
            return normalizeGitLabJob(body);
          default:
            return normalizeGitLabRelease(body);
        }
      },
      {
        host: 'GitLab',
        event: type,
        hint: '与 GitLab Webhook 的 Recent events 中的记录对比 / compare the body with a recent event of the webhook',
        logKey: 'hook',
      },
      context,
    );
  }
}
