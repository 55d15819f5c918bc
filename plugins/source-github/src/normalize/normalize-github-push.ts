import {
  type HostCommit,
  type HostPushData,
  type JsonRecord,
  type NormalizedHook,
  readBoolean,
  readNumber,
  readRecords,
  readText,
  toHostCommit,
} from '@hookmux/core';
import { createMalformedError, readGitHubCommon, whoOf } from './read-github-common.js';

const zeroSha = /^0+$/;

/**
 * `push`: branch and tag pushes alike (GitHub has no separate tag hook). The action is `create` /
 * `delete` from the `created` / `deleted` flags (2017 bodies have them too), else `update`.
 */
export function normalizeGitHubPush(body: JsonRecord): NormalizedHook<HostPushData> {
  const ref = readText(body, 'ref');
  if (ref === undefined) throw createMalformedError('push', 'ref');
  const isTag = ref.startsWith('refs/tags/');
  const common = readGitHubCommon(body, 'push', isTag ? 'tag_push' : 'push');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const before = readText(body, 'before') ?? '';
  const after = readText(body, 'after') ?? '';
  const created = readBoolean(body, 'created') ?? zeroSha.test(before);
  const deleted = readBoolean(body, 'deleted') ?? zeroSha.test(after);
  const action = created ? 'create' : deleted ? 'delete' : 'update';
  const commits = readRecords(body, 'commits')
    .map((c) => toHostCommit(c))
    .filter((c): c is HostCommit => c !== undefined);
  const headCommit = toHostCommit(body['head_commit']);
  // GitHub lists at most 20 commits and says nothing of the rest; `size` is absent from webhooks.
  const commitCount = Math.max(readNumber(body, 'size') ?? commits.length, commits.length);
  const refUrl = deleted ? undefined : `${common.repo.url}/tree/${encodeURI(refName)}`;
  // A created ref's compare URL points at `0000000^...`: only an update's is worth a link.
  const compareUrl = action === 'update' ? readText(body, 'compare') : undefined;
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
  return {
    type: 'push',
    action,
    branch: isTag ? undefined : refName,
    tag: isTag ? refName : undefined,
    url: action === 'update' ? (compareUrl ?? refUrl) : action === 'create' ? refUrl : common.repo.url,
    summary,
    data: {
      ...common,
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
      forced: readBoolean(body, 'forced') ?? false,
      compareUrl,
      commits,
      headCommit,
      commitCount,
      moreCommits: Math.max(0, commitCount - commits.length),
    },
  };
}

/**
 * `create` / `delete`: a branch or tag made or removed (GitHub also sends a `push` for these; tick
 * one of the two). The action is the ref type, so `github.create.tag` names a new tag.
 */
export function normalizeGitHubRefEvent(
  body: JsonRecord,
  event: 'create' | 'delete',
): NormalizedHook<HostPushData> {
  const refName = readText(body, 'ref');
  if (refName === undefined) throw createMalformedError(event, 'ref');
  const refType = readText(body, 'ref_type') === 'tag' ? 'tag' : 'branch';
  const common = readGitHubCommon(body, event, refType === 'tag' ? 'tag_push' : 'push');
  const created = event === 'create';
  const ref = `refs/${refType === 'tag' ? 'tags' : 'heads'}/${refName}`;
  const refUrl = created ? `${common.repo.url}/tree/${encodeURI(refName)}` : undefined;
  const branch = refType === 'branch' ? refName : undefined;
  const tag = refType === 'tag' ? refName : undefined;
  const sha = readText(body, 'sha') ?? '';
  return {
    type: event,
    action: refType,
    branch,
    tag,
    url: refUrl ?? common.repo.url,
    summary: `${whoOf(common)} ${created ? 'created' : 'deleted'} ${refType} ${refName} in ${common.repo.fullName}`,
    data: {
      ...common,
      mentions: [],
      branch,
      tag,
      ref,
      refName,
      refUrl,
      before: created ? '' : sha,
      after: created ? sha : '',
      created,
      deleted: !created,
      forced: false,
      compareUrl: undefined,
      commits: [],
      headCommit: undefined,
      commitCount: 0,
      moreCommits: 0,
    },
  };
}
