import { readBoolean, readNumber, readRecords, readText, type JsonRecord } from '@hookmux/core';

import { createMalformedError } from './create-malformed-error.js';
import type { GiteeCommitData, GiteePushData, NormalizedGiteeHook } from './gitee-hook-data.js';
import { readGiteeCommon } from './read-gitee-common.js';
import { toGiteeCommit } from './to-gitee-commit.js';

const zeroSha = /^0+$/;

/**
 * Push and tag push. Gitee sends no `action`: it is `create` / `delete` from the `created` /
 * `deleted` flags (or the all-zero SHA, in case a flag is missing), else `update`.
 */
export function normalizePushHook(
  body: JsonRecord,
  kind: 'push' | 'tag_push',
): NormalizedGiteeHook<GiteePushData> {
  const common = readGiteeCommon(body, kind);
  const ref = readText(body, 'ref');
  if (ref === undefined) throw createMalformedError(kind === 'push' ? 'push_hooks' : 'tag_push_hooks', 'ref');
  // Gitee's canned tag-push test body says `refs/heads/test_version`: strip either prefix.
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const before = readText(body, 'before') ?? '';
  const after = readText(body, 'after') ?? '';
  const created = readBoolean(body, 'created') ?? (zeroSha.test(before) && before !== '');
  const deleted = readBoolean(body, 'deleted') ?? (zeroSha.test(after) && after !== '');
  const action = created ? 'create' : deleted ? 'delete' : 'update';

  const commits = readRecords(body, 'commits')
    .map(toGiteeCommit)
    .filter((c): c is GiteeCommitData => c !== undefined);
  const headCommit = toGiteeCommit(body['head_commit']);
  // On a branch create Gitee sends no commits but a `total_commits_count` that seems to count the
  // branch's history (13 in the recorded sample): only an update's count means "pushed now".
  const total = action === 'update' ? readNumber(body, 'total_commits_count') : undefined;
  const commitCount = Math.max(total ?? commits.length, commits.length);
  const repoUrl = common.repo.url;
  const refUrl = deleted ? undefined : `${repoUrl}/tree/${encodeURI(refName)}`;
  const compareUrl = readText(body, 'compare');

  const branch = kind === 'push' ? refName : undefined;
  const tag = kind === 'tag_push' ? refName : undefined;
  const what = kind === 'push' ? 'branch' : 'tag';
  const where = `${common.repo.fullName}:${refName}`;
  const who = common.actor.login ?? common.actor.name;
  const summary =
    action === 'create'
      ? `${who} created ${what} ${refName} in ${common.repo.fullName}`
      : action === 'delete'
        ? `${who} deleted ${what} ${refName} in ${common.repo.fullName}`
        : kind === 'tag_push'
          ? `${who} moved tag ${refName} in ${common.repo.fullName}`
          : `${who} pushed ${commitCount} ${commitCount === 1 ? 'commit' : 'commits'} to ${where}`;

  // The compare page is the best link for an update; for a new branch it compares against
  // all-zeros (a 404), and a deleted ref has no page of its own.
  const url = action === 'update' ? (compareUrl ?? refUrl) : action === 'create' ? refUrl : repoUrl;
  return {
    action,
    branch,
    tag,
    url,
    summary,
    data: {
      ...common,
      mentions: [],
      branch,
      tag,
      ref,
      refName,
      refUrl,
      before,
      after,
      created,
      deleted,
      compareUrl,
      commits,
      headCommit,
      commitCount,
      moreCommits: Math.max(0, commitCount - commits.length),
    },
  };
}
