import {
  collectLogins,
  type HostPullRequestData,
  type HostReview,
  type JsonRecord,
  type NormalizedHook,
  readRecord,
  readText,
  toHostPerson,
  toOneLine,
  truncateText,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, readGiteaCommon, toGiteaPullRequestInfo } from './read-gitea-common.js';

export const giteaPullRequestActions: Readonly<Record<string, readonly [string, string | undefined]>> = {
  opened: ['open', undefined],
  reopened: ['reopen', undefined],
  closed: ['close', undefined],
  edited: ['update', 'edited'],
  synchronized: ['update', 'source_branch_changed'],
  label_updated: ['update', 'update_label'],
  label_cleared: ['update', 'update_label'],
  milestoned: ['update', 'update_milestone'],
  demilestoned: ['update', 'update_milestone'],
  assigned: ['assign', 'assigned'],
  unassigned: ['assign', 'unassigned'],
  review_requested: ['assign', 'review_requested'],
  review_request_removed: ['assign', 'review_request_removed'],
};

export function normalizeGiteaPullRequest(body: JsonRecord): NormalizedHook<HostPullRequestData> {
  const common = readGiteaCommon(body, 'pull_request', 'merge_request');
  const record = readRecord(body, 'pull_request');
  if (record === undefined) throw createMalformedError('pull_request', 'pull_request');
  const pullRequest = toGiteaPullRequestInfo(record, common.repo.url);
  const hostAction = readText(body, 'action') ?? 'unknown';
  const [mapped, actionDesc] = giteaPullRequestActions[hostAction] ?? [hostAction, undefined];
  const action = hostAction === 'closed' && pullRequest.merged ? 'merge' : mapped;
  const what = `pull request #${pullRequest.number} "${toOneLine(pullRequest.title, 80)}"`;
  const branches = `(${pullRequest.sourceBranch ?? '?'} → ${pullRequest.targetBranch ?? '?'})`;
  const verbs: Readonly<Record<string, string>> = {
    open: `opened ${what} ${branches}`,
    merge: `merged ${what} ${branches}`,
    close: `closed ${what}`,
    reopen: `reopened ${what}`,
    update: actionDesc === 'source_branch_changed' ? `pushed new commits to ${what}` : `updated ${what}`,
    assign:
      actionDesc === 'review_requested'
        ? `requested a review of ${what}`
        : `changed the assignees of ${what}`,
  };
  const requested = toHostPerson(body['requested_reviewer']);
  const concerned = ['merge', 'close'].includes(action)
    ? [pullRequest.author]
    : actionDesc === 'review_requested'
      ? [requested]
      : action === 'open'
        ? [...pullRequest.reviewers, ...pullRequest.assignees]
        : [];
  return {
    type: 'pull_request',
    action,
    branch: pullRequest.targetBranch,
    tag: undefined,
    url: pullRequest.url ?? common.repo.url,
    summary: `${whoOfHost(common)} ${verbs[action] ?? `${hostAction.replace(/_/g, ' ')} ${what}`} in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: collectLogins(concerned, common.actor),
      pullRequest,
      actionDesc,
      review: undefined,
    },
  };
}

/**
 * Gitea's review events (`X-Gitea-Event: pull_request_approved`, `pull_request_rejected`,
 * `pull_request_comment`; `X-Gitea-Event-Type: pull_request_review_*`) carry the pull request and
 * `review: {type, content}`: one type here, `pull_request_review`, the verdict as the action.
 */
export function normalizeGiteaReview(
  body: JsonRecord,
  verdict: 'approved' | 'changes_requested' | 'comment',
): NormalizedHook<HostPullRequestData> {
  const common = readGiteaCommon(body, 'pull_request_review', 'merge_request');
  const record = readRecord(body, 'pull_request');
  if (record === undefined) throw createMalformedError('pull_request_review', 'pull_request');
  const pullRequest = toGiteaPullRequestInfo(record, common.repo.url);
  const reviewRecord = readRecord(body, 'review');
  const review: HostReview = {
    state: verdict === 'comment' ? 'commented' : verdict,
    body: truncateText((readText(reviewRecord, 'content') ?? '').replace(/\r\n/g, '\n'), 4000),
    url: pullRequest.url,
    author: common.actor,
  };
  const verbs = { approved: 'approved', changes_requested: 'requested changes on', comment: 'reviewed' };
  return {
    type: 'pull_request_review',
    action: verdict,
    branch: pullRequest.targetBranch,
    tag: undefined,
    url: pullRequest.url ?? common.repo.url,
    summary: `${whoOfHost(common)} ${verbs[verdict]} pull request #${pullRequest.number} "${toOneLine(pullRequest.title, 80)}" in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: collectLogins([pullRequest.author], common.actor),
      pullRequest,
      actionDesc: undefined,
      review,
    },
  };
}
