import {
  collectLogins,
  type HostIssueData,
  type JsonRecord,
  type NormalizedHook,
  readRecord,
  readText,
  toOneLine,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, readGitHubCommon, toGitHubIssueInfo } from './read-github-common.js';

/**
 * GitHub's issue actions, in the Gitee spirit (Gitee: `open`, `state_change`, `assign`, `delete`;
 * here close and reopen are their own): label and milestone changes are an `update` with the
 * detail in `actionDesc`, so `action: "!update"` keeps a group free of triage noise.
 */
export const gitHubIssueActions: Readonly<Record<string, readonly [string, string | undefined]>> = {
  opened: ['open', undefined],
  edited: ['update', 'edited'],
  deleted: ['delete', undefined],
  closed: ['close', undefined],
  reopened: ['reopen', undefined],
  assigned: ['assign', 'assigned'],
  unassigned: ['assign', 'unassigned'],
  labeled: ['update', 'update_label'],
  unlabeled: ['update', 'update_label'],
  milestoned: ['update', 'update_milestone'],
  demilestoned: ['update', 'update_milestone'],
  typed: ['update', 'update_type'],
  untyped: ['update', 'update_type'],
  pinned: ['pinned', undefined],
  unpinned: ['unpinned', undefined],
  locked: ['locked', undefined],
  unlocked: ['unlocked', undefined],
  transferred: ['transferred', undefined],
};

export function normalizeGitHubIssue(body: JsonRecord): NormalizedHook<HostIssueData> {
  const common = readGitHubCommon(body, 'issues', 'issue');
  const record = readRecord(body, 'issue');
  if (record === undefined) throw createMalformedError('issues', 'issue');
  const issue = toGitHubIssueInfo(record);
  const hostAction = readText(body, 'action') ?? 'unknown';
  const [action, actionDesc] = gitHubIssueActions[hostAction] ?? [hostAction, undefined];
  const who = whoOfHost(common);
  const what = `issue #${issue.number} "${toOneLine(issue.title, 80)}"`;
  const where = `in ${common.repo.fullName}`;
  const changed = readRecord(body, 'assignee') ?? readRecord(body, 'label');
  const verbs: Readonly<Record<string, string>> = {
    open: 'opened',
    close: 'closed',
    reopen: 'reopened',
    delete: 'deleted',
    update: 'updated',
    assign: hostAction === 'unassigned' ? 'unassigned' : 'assigned',
  };
  const detail =
    changed === undefined ? '' : ` (${readText(changed, 'login') ?? readText(changed, 'name') ?? ''})`;
  // Who is asked to act: the newly assigned person, or every assignee of a new issue.
  const concerned =
    hostAction === 'assigned'
      ? [issue.assignees.find((p) => p.login === readText(changed, 'login')) ?? issue.assignee]
      : action === 'open'
        ? issue.assignees
        : [];
  return {
    type: 'issues',
    action,
    branch: undefined,
    tag: undefined,
    url: action === 'delete' ? common.repo.url : (issue.url ?? common.repo.url),
    summary: `${who} ${verbs[action] ?? hostAction} ${what}${detail} ${where}`,
    data: {
      ...common,
      mentions: collectLogins(concerned, common.actor),
      issue,
      actionDesc,
      confidential: false,
    },
  };
}
