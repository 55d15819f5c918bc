import {
  buildHostPush,
  type HostCommit,
  type HostPushData,
  isZeroSha,
  type JsonRecord,
  type NormalizedHook,
  readNumber,
  readRecords,
  readText,
  toHostCommit,
} from '@hookmux/core';
import { createMalformedError, publicCommon, readGitLabCommon } from './read-gitlab-common.js';

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
  const created = isZeroSha(before);
  const deleted = isZeroSha(after);
  const web = common.repo.url;
  const commits = readRecords(body, 'commits')
    .map((c) => toHostCommit(c, (id) => `${web}/-/commit/${id}`))
    .filter((c): c is HostCommit => c !== undefined);
  // GitLab lists commits newest first (a 2017 habit it kept); messages read better oldest first.
  const ordered = isNewestFirst(commits) ? [...commits].reverse() : commits;
  const commitCount = Math.max(readNumber(body, 'total_commits_count') ?? commits.length, commits.length);
  const checkout = readText(body, 'checkout_sha');
  const headCommit = ordered.find((c) => c.id === checkout) ?? ordered[ordered.length - 1];
  const isUpdate = !created && !deleted;
  return buildHostPush({
    type,
    common: publicCommon(common),
    ref,
    refName,
    isTag,
    before,
    after,
    created,
    deleted,
    forced: false,
    refUrl: deleted ? undefined : `${web}/-/${isTag ? 'tags' : 'tree'}/${encodeURI(refName)}`,
    compareUrl: isUpdate && !isTag ? `${web}/-/compare/${before}...${after}` : undefined,
    // A new tag "pushes" the commits it points at: the tag message shows the head commit instead.
    commits: isTag ? [] : ordered,
    headCommit: deleted ? undefined : headCommit,
    commitCount: isTag ? 0 : commitCount,
  });
}

function isNewestFirst(commits: readonly HostCommit[]): boolean {
  const first = commits[0]?.timestamp;
  const last = commits[commits.length - 1]?.timestamp;
  return first !== undefined && last !== undefined && Date.parse(first) > Date.parse(last);
}
