import {
  collectLogins,
  type HostPullRequestData,
  type JsonRecord,
  type NormalizedHook,
  readRecord,
  readText,
  toOneLine,
  whoOfHost,
} from '@hookmux/core';
import {
  createMalformedError,
  publicCommon,
  readGitLabCommon,
  toGitLabMergeRequestInfo,
} from './read-gitlab-common.js';

/** GitLab's MR actions; all but `update` keep their names (`approved`, `unapproved`, `approval`, `unapproval`). */
export const gitLabMergeRequestActions = [
  'open',
  'update',
  'merge',
  'close',
  'reopen',
  'assign',
  'approved',
  'unapproved',
  'approval',
  'unapproval',
] as const;

export function normalizeGitLabMergeRequest(body: JsonRecord): NormalizedHook<HostPullRequestData> {
  const attributes = readRecord(body, 'object_attributes');
  if (attributes === undefined) throw createMalformedError('merge_request', 'object_attributes');
  const common = readGitLabCommon(body, 'merge_request', 'merge_request');
  const pullRequest = toGitLabMergeRequestInfo(attributes, body, common);
  const hostAction = readText(attributes, 'action') ?? 'update';
  const changes = readRecord(body, 'changes');
  let action = hostAction;
  let actionDesc: string | undefined;
  if (hostAction === 'update') {
    if (readText(attributes, 'oldrev') !== undefined) actionDesc = 'source_branch_changed';
    else if (readRecord(changes, 'reviewers') !== undefined)
      [action, actionDesc] = ['assign', 'review_requested'];
    else if (readRecord(changes, 'assignees') !== undefined) [action, actionDesc] = ['assign', 'assigned'];
    else if (readRecord(changes, 'target_branch') !== undefined) actionDesc = 'target_branch_changed';
    else if (readRecord(changes, 'labels') !== undefined) actionDesc = 'update_label';
    else if (readRecord(changes, 'milestone_id') !== undefined) actionDesc = 'update_milestone';
    else if (readRecord(changes, 'draft') !== undefined)
      actionDesc = pullRequest.draft ? 'draft' : 'ready_for_review';
    else actionDesc = 'edited';
  }
  const what = `merge request !${pullRequest.number} "${toOneLine(pullRequest.title, 80)}"`;
  const branches = `(${pullRequest.sourceBranch ?? '?'} → ${pullRequest.targetBranch ?? '?'})`;
  const verbs: Readonly<Record<string, string>> = {
    open: `opened ${what} ${branches}`,
    merge: `merged ${what} ${branches}`,
    close: `closed ${what}`,
    reopen: `reopened ${what}`,
    approved: `approved ${what}`,
    approval: `approved ${what}`,
    unapproved: `unapproved ${what}`,
    unapproval: `unapproved ${what}`,
    update: actionDesc === 'source_branch_changed' ? `pushed new commits to ${what}` : `updated ${what}`,
    assign:
      actionDesc === 'review_requested'
        ? `changed the reviewers of ${what}`
        : `changed the assignees of ${what}`,
  };
  const concerned = ['merge', 'close', 'approved', 'approval'].includes(action)
    ? [pullRequest.author]
    : action === 'open' || action === 'assign'
      ? [...pullRequest.reviewers, ...pullRequest.assignees]
      : [];
  return {
    type: 'merge_request',
    action,
    branch: pullRequest.targetBranch,
    tag: undefined,
    url: pullRequest.url ?? common.repo.url,
    summary: `${whoOfHost(common)} ${verbs[action] ?? `${hostAction} ${what}`} in ${common.repo.fullName}`,
    data: {
      ...publicCommon(common),
      mentions: collectLogins(concerned, common.actor),
      pullRequest,
      actionDesc,
      review: undefined,
    },
  };
}
