import { readRecord, toOneLine, type JsonRecord } from '@hookmux/core';

import { createMalformedError } from './create-malformed-error.js';
import type { GiteeIssueData, GiteeIssueInfo, NormalizedGiteeHook } from './gitee-hook-data.js';
import { readGiteeAction } from './read-gitee-action.js';
import { readGiteeCommon } from './read-gitee-common.js';
import { collectLogins } from './to-gitee-person.js';
import { toGiteeIssueInfo } from './to-gitee-issue-info.js';

export interface NormalizeIssueOptions {
  /** The state this process last saw for the issue, if any (Gitee does not send the old state). */
  readonly recallState?: (repo: string, number: string, state: string | undefined) => string | undefined;
}

/** `open`, `state_change` (close, reopen and custom states too), `assign`, `delete`. */
export function normalizeIssueHook(
  body: JsonRecord,
  options: NormalizeIssueOptions = {},
): NormalizedGiteeHook<GiteeIssueData> {
  const common = readGiteeCommon(body, 'issue');
  const action = readGiteeAction(body, 'issue_hooks', { close: 'state_change', reopen: 'state_change' });
  const issueRecord = readRecord(body, 'issue');
  if (issueRecord === undefined) throw createMalformedError('issue_hooks', 'issue');
  const parsed = toGiteeIssueInfo(issueRecord, body);
  const remembered = options.recallState?.(common.repo.fullName, parsed.number, parsed.state);
  const issue: GiteeIssueInfo = {
    ...parsed,
    previousState: remembered !== undefined && remembered !== parsed.state ? remembered : undefined,
  };

  const who = common.actor.login ?? common.actor.name;
  const what = `issue #${issue.number} "${toOneLine(issue.title, 80)}"`;
  const where = `in ${common.repo.fullName}`;
  const stateText =
    issue.stateName && issue.stateName !== issue.state
      ? `${issue.state} (${issue.stateName})`
      : (issue.state ?? 'a new state');
  const summaries: Readonly<Record<string, string>> = {
    open: `${who} opened ${what} ${where}`,
    state_change: `${who} moved ${what} to ${stateText} ${where}`,
    assign: issue.assignee
      ? `${who} assigned ${what} to ${issue.assignee.login ?? issue.assignee.name} ${where}`
      : `${who} unassigned ${what} ${where}`,
    delete: `${who} deleted ${what} ${where}`,
  };
  return {
    action,
    branch: undefined,
    tag: undefined,
    url: issue.url ?? common.repo.url,
    summary: summaries[action] ?? `${who} updated ${what} (${action}) ${where}`,
    data: { ...common, mentions: collectLogins([issue.assignee], common.actor), issue },
  };
}
