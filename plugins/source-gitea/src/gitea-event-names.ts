import { giteaIssueActions } from './normalize/normalize-gitea-issue.js';
import { giteaPullRequestActions } from './normalize/normalize-gitea-pull-request.js';
import { giteaReleaseActions } from './normalize/normalize-gitea-release.js';

/**
 * The `X-Gitea-Event` / `X-Forgejo-Event` / `X-Gogs-Event` values the source reads. The review
 * headers (`pull_request_approved`, `pull_request_rejected`, `pull_request_comment`) become one
 * event type, `pull_request_review`.
 */
export const giteaEvents = [
  'push',
  'create',
  'delete',
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_approved',
  'pull_request_rejected',
  'pull_request_comment',
  'pull_request_review',
  'release',
  'workflow_run',
  'action_run',
] as const;

export type GiteaEvent = (typeof giteaEvents)[number];

export function isGiteaEvent(value: string): value is GiteaEvent {
  return (giteaEvents as readonly string[]).includes(value);
}

const unique = (values: Iterable<string>): string[] => [...new Set(values)];
const ciActions = ['pending', 'running', 'success', 'failed', 'cancelled', 'skipped'];

/** Every event name the Gitea source emits (`gitea.<type>.<action>`), for Gitea, Forgejo and Gogs. */
export const giteaEventNames: readonly string[] = [
  ...['create', 'update', 'delete'].map((a) => `gitea.push.${a}`),
  'gitea.create.branch',
  'gitea.create.tag',
  'gitea.delete.branch',
  'gitea.delete.tag',
  ...unique(Object.values(giteaIssueActions).map(([a]) => a)).map((a) => `gitea.issues.${a}`),
  ...unique(['merge', ...Object.values(giteaPullRequestActions).map(([a]) => a)]).map(
    (a) => `gitea.pull_request.${a}`,
  ),
  ...['approved', 'changes_requested', 'comment'].map((a) => `gitea.pull_request_review.${a}`),
  ...['comment', 'edited', 'deleted'].map((a) => `gitea.issue_comment.${a}`),
  ...unique(Object.values(giteaReleaseActions)).map((a) => `gitea.release.${a}`),
  ...ciActions.map((a) => `gitea.workflow_run.${a}`),
  ...ciActions.map((a) => `gitea.action_run.${a}`),
];
