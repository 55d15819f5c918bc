import { readRecord, readText, toOneLine, type JsonRecord } from '@hookmux/core';

import { createMalformedError } from './create-malformed-error.js';
import type { GiteePullRequestData, NormalizedGiteeHook } from './gitee-hook-data.js';
import { readGiteeAction } from './read-gitee-action.js';
import { readGiteeCommon } from './read-gitee-common.js';
import { collectLogins } from './to-gitee-person.js';
import { toGiteePullRequestInfo } from './to-gitee-pull-request-info.js';

const updateWording: Readonly<Record<string, string>> = {
  source_branch_changed: 'pushed new commits to',
  target_branch_changed: 'changed the target branch of',
  update_label: 'changed the labels of',
  update_link_issue: 'changed the linked issues of',
};

/** `open`, `update` (+ `action_desc`), `merge`, `close`, `reopen`, `approved`, `tested`, `assign`. */
export function normalizeMergeRequestHook(body: JsonRecord): NormalizedGiteeHook<GiteePullRequestData> {
  const common = readGiteeCommon(body, 'merge_request');
  const action = readGiteeAction(body, 'merge_request_hooks', {
    test: 'tested',
    approve: 'approved',
    opened: 'open',
  });
  const prRecord = readRecord(body, 'pull_request');
  if (prRecord === undefined) throw createMalformedError('merge_request_hooks', 'pull_request');
  const pullRequest = toGiteePullRequestInfo(prRecord, body);
  // Gitee leaves `action_desc: "open"` on merge and close bodies: it only means something on update.
  const actionDesc = action === 'update' ? readText(body, 'action_desc') : undefined;

  const who = common.actor.login ?? common.actor.name;
  const what = `pull request !${pullRequest.number} "${toOneLine(pullRequest.title, 80)}"`;
  const where = `in ${common.repo.fullName}`;
  const branches = `(${pullRequest.sourceBranch ?? '?'} → ${pullRequest.targetBranch ?? '?'})`;
  const assigned = [...pullRequest.assignees, ...pullRequest.testers].map((p) => p.login ?? p.name);
  const summaries: Readonly<Record<string, string>> = {
    open: `${who} opened ${what} ${branches} ${where}`,
    update: `${who} ${updateWording[actionDesc ?? ''] ?? 'updated'} ${what} ${where}`,
    merge: `${who} merged ${what} ${branches} ${where}`,
    close: `${who} closed ${what} ${where}`,
    reopen: `${who} reopened ${what} ${where}`,
    approved: `${who} approved ${what} ${where}`,
    tested: `${who} marked ${what} as tested ${where}`,
    assign:
      assigned.length > 0
        ? `${who} assigned ${what} to ${[...new Set(assigned)].join(', ')} ${where}`
        : `${who} changed the assignees of ${what} ${where}`,
  };
  // Who the action is for: reviewers and testers while it is in review, the author once it is decided.
  const concerned = ['merge', 'close', 'approved', 'tested'].includes(action)
    ? [pullRequest.author]
    : [...pullRequest.assignees, ...pullRequest.testers];
  return {
    action,
    branch: pullRequest.targetBranch,
    tag: undefined,
    url: pullRequest.url ?? common.repo.url,
    summary: summaries[action] ?? `${who} updated ${what} (${action}) ${where}`,
    data: { ...common, mentions: collectLogins(concerned, common.actor), pullRequest, actionDesc },
  };
}
