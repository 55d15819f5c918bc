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
import {
  createMalformedError,
  publicCommon,
  readGitLabCommon,
  toGitLabIssueInfo,
} from './read-gitlab-common.js';

/**
 * Issue Hook (and Confidential Issue Hook): `open`, `close`, `reopen`, `update`; an update that
 * changed the assignees is an `assign` (as on Gitee), labels or milestone an `update` with the
 * detail in `actionDesc`.
 */
export function normalizeGitLabIssue(
  body: JsonRecord,
  confidentialHeader = false,
): NormalizedHook<HostIssueData> {
  const attributes = readRecord(body, 'object_attributes');
  if (attributes === undefined) throw createMalformedError('issue', 'object_attributes');
  const common = readGitLabCommon(body, 'issue', 'issue');
  const issue = toGitLabIssueInfo(attributes, body, common);
  const confidential =
    confidentialHeader || issue.confidential || readText(body, 'event_type') === 'confidential_issue';
  const hostAction = readText(attributes, 'action') ?? 'update';
  const changes = readRecord(body, 'changes');
  let action = hostAction;
  let actionDesc: string | undefined;
  if (hostAction === 'update') {
    if (readRecord(changes, 'assignees') !== undefined) action = 'assign';
    else if (readRecord(changes, 'labels') !== undefined) actionDesc = 'update_label';
    else if (readRecord(changes, 'milestone_id') !== undefined) actionDesc = 'update_milestone';
    else if (readRecord(changes, 'confidential') !== undefined) actionDesc = 'update_confidential';
    else actionDesc = 'edited';
  }
  const verbs: Readonly<Record<string, string>> = {
    open: 'opened',
    close: 'closed',
    reopen: 'reopened',
    update: 'updated',
    assign: 'changed the assignees of',
  };
  return {
    type: confidential ? 'confidential_issue' : 'issue',
    action,
    branch: undefined,
    tag: undefined,
    url: issue.url ?? common.repo.url,
    summary: `${whoOfHost(common)} ${verbs[action] ?? hostAction} ${confidential ? 'confidential ' : ''}issue #${issue.number} "${toOneLine(issue.title, 80)}" in ${common.repo.fullName}`,
    data: {
      ...publicCommon(common),
      mentions: collectLogins(action === 'open' || action === 'assign' ? issue.assignees : [], common.actor),
      issue,
      actionDesc,
      confidential,
    },
  };
}
