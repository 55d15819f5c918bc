import {
  type HostCommit,
  type HostPushData,
  type JsonRecord,
  type NormalizedHook,
  readNumber,
  readRecords,
  readText,
  toHostCommit,
} from '@hookmux/core';
import { createMalformedError, publicCommon, readGitLabCommon, whoOf } from './read-gitlab-common.js';

const zeroSha = /^0+$/;

/** Push Hook and Tag Push Hook. GitLab lists at most 20 commits; `total_commits_count` has them all. */
export function normalizeGitLabPush(
  body: JsonRecord,
  type: 'push' | 'tag_push',
): NormalizedHook<HostPushData> {
  const ref = readText(body, 'ref');
  if (ref === undefined) throw createMalformedError(type, 'ref');
  const isTag = type === 'tag_push' || ref.startsWith('refs/tags/');
  const common = readGitLabCommon(body, type, isTag ? 'tag_push' : 'push');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const before = readText(body, 'before') ?? '';
  const after = readText(body, 'after') ?? '';
  const created = zeroSha.test(before);
  const deleted = zeroSha.test(after);
  const action = created ? 'create' : deleted ? 'delete' : 'update';
  const web = common.repo.url;
  const commits = readRecords(body, 'commits')
    .map((c) => toHostCommit(c, (id) => `${web}/-/commit/${id}`))
    .filter((c): c is HostCommit => c !== undefined);
  // GitLab lists commits newest first (a 2017 habit it kept); messages read better oldest first.
  const ordered = isNewestFirst(commits) ? [...commits].reverse() : commits;
  const commitCount = Math.max(readNumber(body, 'total_commits_count') ?? commits.length, commits.length);
  const checkout = readText(body, 'checkout_sha');
  const headCommit = ordered.find((c) => c.id === checkout) ?? ordered[ordered.length - 1];
  const refUrl = deleted ? undefined : `${web}/-/${isTag ? 'tags' : 'tree'}/${encodeURI(refName)}`;
  const compareUrl = action === 'update' && !isTag ? `${web}/-/compare/${before}...${after}` : undefined;
  const what = isTag ? 'tag' : 'branch';
  const who = whoOf(common);
  const summary =
    action === 'create'
      ? `${who} created ${what} ${refName} in ${common.repo.fullName}`
      : action === 'delete'
        ? `${who} deleted ${what} ${refName} in ${common.repo.fullName}`
        : isTag
          ? `${who} moved tag ${refName} in ${common.repo.fullName}`
          : `${who} pushed ${commitCount} ${commitCount === 1 ? 'commit' : 'commits'} to ${common.repo.fullName}:${refName}`;
  // A new tag "pushes" the commits it points at: the tag message shows the head commit instead.
  const listed = isTag ? [] : ordered;
  return {
    type,
    action,
    branch: isTag ? undefined : refName,
    tag: isTag ? refName : undefined,
    url: action === 'update' ? (compareUrl ?? refUrl) : action === 'create' ? refUrl : web,
    summary,
    data: {
      ...publicCommon(common),
      mentions: [],
      branch: isTag ? undefined : refName,
      tag: isTag ? refName : undefined,
      ref,
      refName,
      refUrl,
      before,
      after,
      created,
      deleted,
      forced: false,
      compareUrl,
      commits: listed,
      headCommit: deleted ? undefined : headCommit,
      commitCount: isTag ? 0 : commitCount,
      moreCommits: isTag ? 0 : Math.max(0, commitCount - listed.length),
    },
  };
}

function isNewestFirst(commits: readonly HostCommit[]): boolean {
  const first = commits[0]?.timestamp;
  const last = commits[commits.length - 1]?.timestamp;
  return first !== undefined && last !== undefined && Date.parse(first) > Date.parse(last);
}
