import {
  collectLogins,
  type HostNoteData,
  type HostNoteTarget,
  type JsonRecord,
  type NormalizedHook,
  readNumber,
  readRecord,
  readText,
  toHostCommit,
  toOneLine,
  truncateText,
  whoOfHost,
} from '@hookmux/core';
import {
  createMalformedError,
  publicCommon,
  readGitLabCommon,
  toGitLabIssueInfo,
  toGitLabMergeRequestInfo,
  type CommonParts,
} from './read-gitlab-common.js';

/** Note Hook (and Confidential Note Hook): a comment on an issue, a merge request, a commit or a snippet. */
export function normalizeGitLabNote(
  body: JsonRecord,
  confidentialHeader = false,
): NormalizedHook<HostNoteData> {
  const attributes = readRecord(body, 'object_attributes');
  if (attributes === undefined) throw createMalformedError('note', 'object_attributes');
  const common = readGitLabCommon(body, 'note', 'note');
  const issueRecord = readRecord(body, 'issue');
  const mrRecord = readRecord(body, 'merge_request');
  const issue = issueRecord === undefined ? undefined : toGitLabIssueInfo(issueRecord, {}, common);
  const pullRequest = mrRecord === undefined ? undefined : toGitLabMergeRequestInfo(mrRecord, {}, common);
  const confidential =
    confidentialHeader ||
    readText(body, 'event_type') === 'confidential_note' ||
    issue?.confidential === true ||
    readText(attributes, 'confidential') === 'true';
  const hostAction = readText(attributes, 'action');
  const action = hostAction === 'update' ? 'edited' : 'comment';
  const target = readTarget(body, attributes, common, issue, pullRequest);
  const comment = {
    id: readNumber(attributes, 'id'),
    body: truncateText(
      (readText(attributes, 'note') ?? readText(attributes, 'description') ?? '').replace(/\r\n/g, '\n'),
      4000,
    ),
    url: readText(attributes, 'url'),
    author: common.actor,
    path: readText(readRecord(attributes, 'position'), 'new_path'),
    line: readNumber(readRecord(attributes, 'position'), 'new_line'),
  };
  const onWhat =
    target.kind === 'commit'
      ? `commit ${target.label}`
      : target.kind === 'snippet'
        ? `snippet ${target.label}`
        : `${target.kind === 'issue' ? 'issue' : 'merge request'} ${target.label}${target.title ? ` "${toOneLine(target.title, 80)}"` : ''}`;
  return {
    type: confidential ? 'confidential_note' : 'note',
    action,
    branch: pullRequest?.targetBranch,
    tag: undefined,
    url: comment.url ?? target.url ?? common.repo.url,
    summary: `${whoOfHost(common)} ${action === 'edited' ? 'edited a comment on' : 'commented on'} ${confidential ? 'confidential ' : ''}${onWhat} in ${common.repo.fullName}`,
    data: {
      ...publicCommon(common),
      mentions: collectLogins([issue?.author ?? pullRequest?.author], common.actor),
      comment,
      target,
      issue,
      pullRequest,
      confidential,
    },
  };
}

function readTarget(
  body: JsonRecord,
  attributes: JsonRecord,
  common: CommonParts,
  issue: HostNoteData['issue'],
  pullRequest: HostNoteData['pullRequest'],
): HostNoteTarget {
  const type = readText(attributes, 'noteable_type');
  if (type === 'Issue' || (type === undefined && issue !== undefined)) {
    return {
      kind: 'issue',
      number: issue?.number,
      label: issue?.label ?? '#?',
      title: issue?.title,
      url: issue?.url,
      shortSha: undefined,
      commitId: undefined,
    };
  }
  if (type === 'MergeRequest' || (type === undefined && pullRequest !== undefined)) {
    return {
      kind: 'pull_request',
      number: pullRequest === undefined ? undefined : String(pullRequest.number),
      label: pullRequest?.label ?? '!?',
      title: pullRequest?.title,
      url: pullRequest?.url,
      shortSha: undefined,
      commitId: undefined,
    };
  }
  if (type === 'Commit') {
    const commit = toHostCommit(body['commit'], (id) => `${common.repo.url}/-/commit/${id}`);
    const commitId = commit?.id ?? readText(attributes, 'commit_id');
    return {
      kind: 'commit',
      number: undefined,
      label: commitId?.slice(0, 7) ?? 'a commit',
      title: commit?.title,
      url: commit?.url ?? (commitId === undefined ? undefined : `${common.repo.url}/-/commit/${commitId}`),
      shortSha: commitId?.slice(0, 7),
      commitId,
    };
  }
  const snippet = readRecord(body, 'snippet');
  const id = readText(snippet, 'id');
  return {
    kind: 'snippet',
    number: id,
    label: `$${id ?? '?'}`,
    title: readText(snippet, 'title'),
    url: id === undefined ? common.repo.url : `${common.repo.url}/-/snippets/${id}`,
    shortSha: undefined,
    commitId: undefined,
  };
}
