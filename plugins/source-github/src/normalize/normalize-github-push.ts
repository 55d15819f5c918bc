import {
  buildHostPush,
  buildHostRefEvent,
  type HostCommit,
  type HostPushData,
  isZeroSha,
  type JsonRecord,
  type NormalizedHook,
  readBoolean,
  readNumber,
  readRecords,
  readText,
  toHostCommit,
} from '@hookmux/core';
import { createMalformedError, readGitHubCommon } from './read-github-common.js';

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
  const created = readBoolean(body, 'created') ?? isZeroSha(before);
  const deleted = readBoolean(body, 'deleted') ?? isZeroSha(after);
  const commits = readRecords(body, 'commits')
    .map((c) => toHostCommit(c))
    .filter((c): c is HostCommit => c !== undefined);
  return buildHostPush({
    type: 'push',
    common,
    ref,
    refName,
    isTag,
    before,
    after,
    created,
    deleted,
    forced: readBoolean(body, 'forced') ?? false,
    refUrl: deleted ? undefined : `${common.repo.url}/tree/${encodeURI(refName)}`,
    // A created ref's compare URL points at `0000000^...`: only an update's is worth a link.
    compareUrl: !created && !deleted ? readText(body, 'compare') : undefined,
    commits,
    headCommit: toHostCommit(body['head_commit']),
    // GitHub lists at most 20 commits and says nothing of the rest; `size` is absent from webhooks.
    commitCount: Math.max(readNumber(body, 'size') ?? commits.length, commits.length),
  });
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
  return buildHostRefEvent({
    event,
    common,
    refName,
    refType,
    refUrl: event === 'create' ? `${common.repo.url}/tree/${encodeURI(refName)}` : undefined,
    sha: readText(body, 'sha') ?? '',
  });
}
