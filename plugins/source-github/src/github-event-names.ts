import { gitHubIssueActions } from './normalize/normalize-github-issue.js';
import { gitHubPullRequestActions } from './normalize/normalize-github-pull-request.js';
import { gitHubReleaseActions } from './normalize/normalize-github-release.js';

/** The `X-GitHub-Event` values the source reads; anything else is a 400 naming them. */
export const gitHubEvents = [
  'ping',
  'push',
  'create',
  'delete',
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'commit_comment',
  'release',
  'workflow_run',
  'check_suite',
] as const;

export type GitHubEvent = (typeof gitHubEvents)[number];

export function isGitHubEvent(value: string): value is GitHubEvent {
  return (gitHubEvents as readonly string[]).includes(value);
}

const ciActions = ['pending', 'running', 'success', 'failed', 'cancelled', 'skipped'];
const noteActions = ['comment', 'edited', 'deleted'];
const unique = (values: Iterable<string>): string[] => [...new Set(values)];

/** Every event name the GitHub source emits: `github.<X-GitHub-Event>.<action>`. */
export const gitHubEventNames: readonly string[] = [
  'github.ping',
  ...['create', 'update', 'delete'].map((a) => `github.push.${a}`),
  'github.create.branch',
  'github.create.tag',
  'github.delete.branch',
  'github.delete.tag',
  ...unique(Object.values(gitHubIssueActions).map(([a]) => a)).map((a) => `github.issues.${a}`),
  ...unique(['merge', ...Object.values(gitHubPullRequestActions).map(([a]) => a)]).map(
    (a) => `github.pull_request.${a}`,
  ),
  ...['approved', 'changes_requested', 'comment', 'dismissed', 'edited'].map(
    (a) => `github.pull_request_review.${a}`,
  ),
  ...noteActions.map((a) => `github.issue_comment.${a}`),
  ...noteActions.map((a) => `github.pull_request_review_comment.${a}`),
  ...noteActions.map((a) => `github.commit_comment.${a}`),
  ...unique(Object.values(gitHubReleaseActions)).map((a) => `github.release.${a}`),
  ...ciActions.map((a) => `github.workflow_run.${a}`),
  ...ciActions.map((a) => `github.check_suite.${a}`),
];
