import {
  collectLogins,
  type HostIssueData,
  type HostNoteData,
  type HostNoteTarget,
  type JsonRecord,
  type NormalizedHook,
  readBoolean,
  readNumber,
  readRecord,
  readText,
  toHostPerson,
  toOneLine,
  truncateText,
  whoOfHost,
} from '@hookmux/core';
import {
  createMalformedError,
  readGiteaCommon,
  toGiteaIssueInfo,
  toGiteaPullRequestInfo,
} from './read-gitea-common.js';

/** Gitea issue (and pull request) actions, in the Gitee spirit; details in `actionDesc`. */
export const giteaIssueActions: Readonly<Record<string, readonly [string, string | undefined]>> = {
  opened: ['open', undefined],
  closed: ['close', undefined],
  reopened: ['reopen', undefined],
  edited: ['update', 'edited'],
  deleted: ['delete', undefined],
  assigned: ['assign', 'assigned'],
  unassigned: ['assign', 'unassigned'],
  label_updated: ['update', 'update_label'],
  label_cleared: ['update', 'update_label'],
  milestoned: ['update', 'update_milestone'],
  demilestoned: ['update', 'update_milestone'],
};

export function normalizeGiteaIssue(body: JsonRecord): NormalizedHook<HostIssueData> {
  const common = readGiteaCommon(body, 'issues', 'issue');
  const record = readRecord(body, 'issue');
  if (record === undefined) throw createMalformedError('issues', 'issue');
  const issue = toGiteaIssueInfo(record, common.repo.url);
  const hostAction = readText(body, 'action') ?? 'unknown';
  const [action, actionDesc] = giteaIssueActions[hostAction] ?? [hostAction, undefined];
  const verbs: Readonly<Record<string, string>> = {
    open: 'opened',
    close: 'closed',
    reopen: 'reopened',
    delete: 'deleted',
    update: 'updated',
    assign: hostAction === 'unassigned' ? 'unassigned' : 'assigned',
  };
  return {
    type: 'issues',
    action,
    branch: undefined,
    tag: undefined,
    url: action === 'delete' ? common.repo.url : (issue.url ?? common.repo.url),
    summary: `${whoOfHost(common)} ${verbs[action] ?? hostAction} issue #${issue.number} "${toOneLine(issue.title, 80)}" in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: collectLogins(action === 'open' || action === 'assign' ? issue.assignees : [], common.actor),
      issue,
      actionDesc,
      confidential: false,
    },
  };
}

const commentActions: Readonly<Record<string, string>> = {
  created: 'comment',
  edited: 'edited',
  deleted: 'deleted',
};

/**
 * `issue_comment`: on an issue, or on a pull request's conversation (`is_pull`, or since 2017
 * `issue.pull_request` set). Gitea sends no pull request branches here.
 */
export function normalizeGiteaComment(body: JsonRecord): NormalizedHook<HostNoteData> {
  const common = readGiteaCommon(body, 'issue_comment', 'note');
  const record = readRecord(body, 'comment');
  const issueRecord = readRecord(body, 'issue');
  if (record === undefined) throw createMalformedError('issue_comment', 'comment');
  if (issueRecord === undefined) throw createMalformedError('issue_comment', 'issue');
  const hostAction = readText(body, 'action') ?? 'created';
  const action = commentActions[hostAction] ?? hostAction;
  const onPull = readBoolean(body, 'is_pull') ?? readRecord(issueRecord, 'pull_request') !== undefined;
  const issue = toGiteaIssueInfo(issueRecord, common.repo.url);
  const prRecord = readRecord(body, 'pull_request');
  const pullRequest = prRecord === undefined ? undefined : toGiteaPullRequestInfo(prRecord, common.repo.url);
  const number = issue.number;
  const target: HostNoteTarget = {
    kind: onPull ? 'pull_request' : 'issue',
    number,
    label: `#${number}`,
    title: issue.title,
    url: onPull ? (pullRequest?.url ?? `${common.repo.url}/pulls/${number}`) : issue.url,
    shortSha: undefined,
    commitId: undefined,
  };
  const comment = {
    id: readNumber(record, 'id'),
    body: truncateText((readText(record, 'body') ?? '').replace(/\r\n/g, '\n'), 4000),
    url: readText(record, 'html_url'),
    author: toHostPerson(record['user']) ?? common.actor,
    path: undefined,
    line: undefined,
  };
  const verb: Readonly<Record<string, string>> = {
    comment: 'commented on',
    edited: 'edited a comment on',
    deleted: 'deleted a comment on',
  };
  return {
    type: 'issue_comment',
    action,
    branch: pullRequest?.targetBranch,
    tag: undefined,
    url: comment.url ?? target.url ?? common.repo.url,
    summary: `${whoOfHost(common)} ${verb[action] ?? `${action} a comment on`} ${onPull ? 'pull request' : 'issue'} #${number} "${toOneLine(issue.title, 80)}" in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: collectLogins([issue.author], common.actor),
      comment,
      target,
      issue: onPull ? undefined : issue,
      pullRequest,
      confidential: false,
    },
  };
}
