import {
  pickFirst,
  readNumber,
  readRecord,
  readText,
  toOneLine,
  truncateText,
  type JsonRecord,
} from '@hookmux/core';

import { createMalformedError } from './create-malformed-error.js';
import type { GiteeNoteData, GiteeNoteTarget, NormalizedGiteeHook } from './gitee-hook-data.js';
import { readGiteeAction } from './read-gitee-action.js';
import { readGiteeCommon, type GiteeCommonParts } from './read-gitee-common.js';
import { collectLogins, toGiteePerson } from './to-gitee-person.js';
import { toGiteeIssueInfo } from './to-gitee-issue-info.js';
import { toGiteePullRequestInfo } from './to-gitee-pull-request-info.js';

const maxBodyLength = 4000;

/** `comment`, `edited`, `deleted`, on an issue, a pull request, a commit or the repository. */
export function normalizeNoteHook(body: JsonRecord): NormalizedGiteeHook<GiteeNoteData> {
  const common = readGiteeCommon(body, 'note');
  const action = readGiteeAction(body, 'note_hooks', { edit: 'edited', delete: 'deleted' });
  const commentRecord = readRecord(body, 'comment');
  const text = pickFirst(readText(commentRecord, 'body'), readText(body, 'note'));
  if (commentRecord === undefined && text === undefined) throw createMalformedError('note_hooks', 'comment');

  const issueRecord = readRecord(body, 'issue');
  const prRecord = readRecord(body, 'pull_request');
  const issue = issueRecord === undefined ? undefined : toGiteeIssueInfo(issueRecord, undefined);
  const pullRequest = prRecord === undefined ? undefined : toGiteePullRequestInfo(prRecord, undefined);
  const target = readTarget(body, commentRecord, common, issue, pullRequest);
  const author = toGiteePerson(commentRecord?.['user']) ?? common.actor;
  const comment = {
    id: readNumber(commentRecord, 'id'),
    body: truncateText((text ?? '').replace(/\r\n/g, '\n'), maxBodyLength),
    url: pickFirst(readText(commentRecord, 'html_url'), readText(body, 'url')),
    author,
  };

  const who = common.actor.login ?? common.actor.name;
  const onWhat =
    target.kind === 'issue'
      ? `issue ${target.label}${target.title ? ` "${toOneLine(target.title, 80)}"` : ''} in ${common.repo.fullName}`
      : target.kind === 'pull_request'
        ? `pull request ${target.label}${target.title ? ` "${toOneLine(target.title, 80)}"` : ''} in ${common.repo.fullName}`
        : target.kind === 'commit'
          ? `commit ${target.label} in ${common.repo.fullName}`
          : common.repo.fullName;
  const verb: Readonly<Record<string, string>> = {
    comment: 'commented on',
    edited: 'edited a comment on',
    deleted: 'deleted a comment on',
  };
  return {
    action,
    // A pull request comment is about the branch the pull request targets, like the PR's own events.
    branch: pullRequest?.targetBranch,
    tag: undefined,
    url: comment.url ?? target.url ?? common.repo.url,
    summary: `${who} ${verb[action] ?? `${action} a comment on`} ${onWhat}`,
    data: {
      ...common,
      mentions: collectLogins([issue?.author ?? pullRequest?.author], common.actor),
      comment,
      target,
      issue,
      pullRequest,
    },
  };
}

function readTarget(
  body: JsonRecord,
  commentRecord: JsonRecord | undefined,
  common: GiteeCommonParts,
  issue: GiteeNoteData['issue'],
  pullRequest: GiteeNoteData['pullRequest'],
): GiteeNoteTarget {
  const type = readText(body, 'noteable_type')?.toLowerCase().replace(/[\s_]/g, '');
  const perIid = readText(body, 'per_iid');
  const title = readText(body, 'title');
  if (type === 'issue' || (type === undefined && issue !== undefined)) {
    const number = issue?.number ?? perIid?.replace(/^#/, '');
    return {
      kind: 'issue',
      number,
      label: `#${number ?? '?'}`,
      title: issue?.title ?? title,
      url: issue?.url,
      shortSha: undefined,
      commitId: undefined,
    };
  }
  if (type === 'pullrequest' || (type === undefined && pullRequest !== undefined)) {
    const number = pullRequest === undefined ? perIid?.replace(/^!/, '') : String(pullRequest.number);
    return {
      kind: 'pull_request',
      number,
      label: `!${number ?? '?'}`,
      title: pullRequest?.title ?? title,
      url: pullRequest?.url,
      shortSha: undefined,
      commitId: undefined,
    };
  }
  if (type === 'commit') {
    const commitId = pickFirst(readText(commentRecord, 'commit_id'), readText(body, 'commit_id'));
    const shortSha = pickFirst(readText(body, 'short_commit_id'), commitId?.slice(0, 7));
    return {
      kind: 'commit',
      number: undefined,
      label: shortSha ?? 'a commit',
      title,
      url: commitId === undefined ? undefined : `${common.repo.url}/commit/${commitId}`,
      shortSha,
      commitId,
    };
  }
  return {
    kind: 'repository',
    number: undefined,
    label: common.repo.fullName,
    title: undefined,
    url: common.repo.url,
    shortSha: undefined,
    commitId: undefined,
  };
}
