import {
  collectLogins,
  type HostPullRequestData,
  type HostReview,
  type JsonRecord,
  type NormalizedHook,
  readRecord,
  readText,
  someone,
  toHostPerson,
  toOneLine,
  truncateText,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, readGitHubCommon, toGitHubPullRequestInfo } from './read-github-common.js';

/** GitHub pull request actions in the Gitee spirit; `closed` with `merged: true` is a `merge`. */
export const gitHubPullRequestActions: Readonly<Record<string, readonly [string, string | undefined]>> = {
  opened: ['open', undefined],
  reopened: ['reopen', undefined],
  closed: ['close', undefined],
  edited: ['update', 'edited'],
  synchronize: ['update', 'source_branch_changed'],
  labeled: ['update', 'update_label'],
  unlabeled: ['update', 'update_label'],
  milestoned: ['update', 'update_milestone'],
  demilestoned: ['update', 'update_milestone'],
  assigned: ['assign', 'assigned'],
  unassigned: ['assign', 'unassigned'],
  review_requested: ['assign', 'review_requested'],
  review_request_removed: ['assign', 'review_request_removed'],
  ready_for_review: ['ready_for_review', undefined],
  converted_to_draft: ['draft', undefined],
  locked: ['locked', undefined],
  unlocked: ['unlocked', undefined],
  auto_merge_enabled: ['auto_merge_enabled', undefined],
  auto_merge_disabled: ['auto_merge_disabled', undefined],
  enqueued: ['enqueued', undefined],
  dequeued: ['dequeued', undefined],
};

export function normalizeGitHubPullRequest(body: JsonRecord): NormalizedHook<HostPullRequestData> {
  const common = readGitHubCommon(body, 'pull_request', 'merge_request');
  const record = readRecord(body, 'pull_request');
  if (record === undefined) throw createMalformedError('pull_request', 'pull_request');
  const pullRequest = toGitHubPullRequestInfo(record);
  const hostAction = readText(body, 'action') ?? 'unknown';
  let [action, actionDesc] = gitHubPullRequestActions[hostAction] ?? [hostAction, undefined];
  if (hostAction === 'closed' && pullRequest.merged) action = 'merge';
  if (hostAction === 'edited' && readRecord(readRecord(body, 'changes'), 'base') !== undefined)
    actionDesc = 'target_branch_changed';
  const who = whoOfHost(common);
  const what = `pull request #${pullRequest.number} "${toOneLine(pullRequest.title, 80)}"`;
  const branches = `(${pullRequest.sourceBranch ?? '?'} → ${pullRequest.targetBranch ?? '?'})`;
  const where = `in ${common.repo.fullName}`;
  const verbs: Readonly<Record<string, string>> = {
    open: `opened ${what} ${branches}`,
    merge: `merged ${what} ${branches}`,
    close: `closed ${what}`,
    reopen: `reopened ${what}`,
    update:
      actionDesc === 'source_branch_changed'
        ? `pushed new commits to ${what}`
        : actionDesc === 'update_label'
          ? `changed the labels of ${what}`
          : `updated ${what}`,
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
      : action === 'open' || action === 'ready_for_review'
        ? [...pullRequest.reviewers, ...pullRequest.assignees]
        : [];
  return {
    type: 'pull_request',
    action,
    branch: pullRequest.targetBranch,
    tag: undefined,
    url: pullRequest.url ?? common.repo.url,
    summary: `${who} ${verbs[action] ?? `${hostAction.replace(/_/g, ' ')} ${what}`} ${where}`,
    data: {
      ...common,
      mentions: collectLogins(concerned, common.actor),
      pullRequest,
      actionDesc,
      review: undefined,
    },
  };
}

/** `pull_request_review`: `submitted` becomes the review's verdict (`approved`, `changes_requested`, `comment`). */
export function normalizeGitHubReview(body: JsonRecord): NormalizedHook<HostPullRequestData> {
  const common = readGitHubCommon(body, 'pull_request_review', 'merge_request');
  const record = readRecord(body, 'pull_request');
  const reviewRecord = readRecord(body, 'review');
  if (record === undefined) throw createMalformedError('pull_request_review', 'pull_request');
  if (reviewRecord === undefined) throw createMalformedError('pull_request_review', 'review');
  const pullRequest = toGitHubPullRequestInfo(record);
  const state = (readText(reviewRecord, 'state') ?? 'commented').toLowerCase();
  const hostAction = readText(body, 'action') ?? 'submitted';
  const action =
    hostAction === 'submitted'
      ? state === 'approved'
        ? 'approved'
        : state === 'changes_requested'
          ? 'changes_requested'
          : 'comment'
      : hostAction;
  const review: HostReview = {
    state,
    body: truncateText((readText(reviewRecord, 'body') ?? '').replace(/\r\n/g, '\n'), 4000),
    url: readText(reviewRecord, 'html_url'),
    author: toHostPerson(reviewRecord['user']) ?? common.actor ?? someone,
  };
  const who = whoOfHost(common);
  const what = `pull request #${pullRequest.number} "${toOneLine(pullRequest.title, 80)}"`;
  const verbs: Readonly<Record<string, string>> = {
    approved: 'approved',
    changes_requested: 'requested changes on',
    comment: 'reviewed',
    dismissed: 'dismissed a review of',
    edited: 'edited a review of',
  };
  return {
    type: 'pull_request_review',
    action,
    branch: pullRequest.targetBranch,
    tag: undefined,
    url: review.url ?? pullRequest.url ?? common.repo.url,
    summary: `${who} ${verbs[action] ?? action} ${what} in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: collectLogins([pullRequest.author], common.actor),
      pullRequest,
      actionDesc: undefined,
      review,
    },
  };
}
