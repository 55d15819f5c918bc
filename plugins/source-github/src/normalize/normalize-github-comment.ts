import {
  collectLogins,
  type HostComment,
  type HostNoteData,
  type HostNoteTarget,
  type JsonRecord,
  type NormalizedHook,
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
  readGitHubCommon,
  toGitHubIssueInfo,
  toGitHubPullRequestInfo,
  type CommonParts,
} from './read-github-common.js';

/** Comment actions as Gitee's note actions. */
const commentActions: Readonly<Record<string, string>> = {
  created: 'comment',
  edited: 'edited',
  deleted: 'deleted',
};

type CommentEvent = 'issue_comment' | 'pull_request_review_comment' | 'commit_comment';

/**
 * The three comment events: on an issue or a pull request's conversation (`issue_comment`, where
 * `issue.pull_request` says which), on a pull request's diff, or on a commit.
 */
export function normalizeGitHubComment(body: JsonRecord, event: CommentEvent): NormalizedHook<HostNoteData> {
  const common = readGitHubCommon(body, event, 'note');
  const record = readRecord(body, 'comment');
  if (record === undefined) throw createMalformedError(event, 'comment');
  const hostAction = readText(body, 'action') ?? 'created';
  const action = commentActions[hostAction] ?? hostAction;
  const comment: HostComment = {
    id: readNumber(record, 'id'),
    body: truncateText((readText(record, 'body') ?? '').replace(/\r\n/g, '\n'), 4000),
    url: readText(record, 'html_url'),
    author: toHostPerson(record['user']) ?? common.actor,
    path: readText(record, 'path'),
    line: readNumber(record, 'line') ?? readNumber(record, 'position'),
  };
  const issueRecord = readRecord(body, 'issue');
  const prRecord = readRecord(body, 'pull_request');
  // An issue_comment on a pull request carries the PR as an issue (with `pull_request` urls).
  const onPullRequest =
    event === 'pull_request_review_comment' || readRecord(issueRecord, 'pull_request') !== undefined;
  const issue = issueRecord !== undefined && !onPullRequest ? toGitHubIssueInfo(issueRecord) : undefined;
  const pullRequest = prRecord !== undefined ? toGitHubPullRequestInfo(prRecord) : undefined;
  const target = readTarget(event, record, common, issueRecord, onPullRequest, pullRequest);
  const who = whoOfHost(common);
  const onWhat =
    target.kind === 'commit'
      ? `commit ${target.label}`
      : `${target.kind === 'issue' ? 'issue' : 'pull request'} ${target.label}${target.title ? ` "${toOneLine(target.title, 80)}"` : ''}`;
  const verb: Readonly<Record<string, string>> = {
    comment: 'commented on',
    edited: 'edited a comment on',
    deleted: 'deleted a comment on',
  };
  const author =
    issue?.author ?? pullRequest?.author ?? (issueRecord ? toHostPerson(issueRecord['user']) : undefined);
  return {
    type: event,
    action,
    branch: pullRequest?.targetBranch,
    tag: undefined,
    url: comment.url ?? target.url ?? common.repo.url,
    summary: `${who} ${verb[action] ?? `${action} a comment on`} ${onWhat} in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: collectLogins([author], common.actor),
      comment,
      target,
      issue,
      pullRequest,
      confidential: false,
    },
  };
}

function readTarget(
  event: CommentEvent,
  record: JsonRecord,
  common: CommonParts,
  issueRecord: JsonRecord | undefined,
  onPullRequest: boolean,
  pullRequest: HostNoteData['pullRequest'],
): HostNoteTarget {
  if (event === 'commit_comment') {
    const commitId = readText(record, 'commit_id');
    const shortSha = commitId?.slice(0, 7);
    return {
      kind: 'commit',
      number: undefined,
      label: shortSha ?? 'a commit',
      title: undefined,
      url: commitId === undefined ? undefined : `${common.repo.url}/commit/${commitId}`,
      shortSha,
      commitId,
    };
  }
  const number = pullRequest !== undefined ? String(pullRequest.number) : readText(issueRecord, 'number');
  return {
    kind: onPullRequest ? 'pull_request' : 'issue',
    number,
    label: `#${number ?? '?'}`,
    title: pullRequest?.title ?? readText(issueRecord, 'title'),
    url: pullRequest?.url ?? readText(issueRecord, 'html_url'),
    shortSha: undefined,
    commitId: undefined,
  };
}
