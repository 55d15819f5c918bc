import {
  buildHostPush,
  buildHostRefEvent,
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
import { createMalformedError, readGiteaCommon } from './read-gitea-common.js';

/** `push` (branches and tags): Gitea sends no created/deleted flags, so the all-zero SHA says it. */
export function normalizeGiteaPush(body: JsonRecord): NormalizedHook<HostPushData> {
  const ref = readText(body, 'ref');
  if (ref === undefined) throw createMalformedError('push', 'ref');
  const isTag = ref.startsWith('refs/tags/');
  const common = readGiteaCommon(body, 'push', isTag ? 'tag_push' : 'push');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const before = readText(body, 'before') ?? '';
  const after = readText(body, 'after') ?? '';
  const created = isZeroSha(before);
  const deleted = isZeroSha(after);
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
    forced: false,
    refUrl: deleted ? undefined : `${common.repo.url}/src/${isTag ? 'tag' : 'branch'}/${encodeURI(refName)}`,
    compareUrl: !created && !deleted ? readText(body, 'compare_url') : undefined,
    commits,
    headCommit: toHostCommit(body['head_commit']),
    // Gitea lists at most `webhook.PAYLOAD_COMMIT_LIMIT` commits; `total_commits` counts them all.
    commitCount: Math.max(readNumber(body, 'total_commits') ?? commits.length, commits.length),
  });
}

/** `create` / `delete`: the action is the ref type (`gitea.create.tag`). */
export function normalizeGiteaRefEvent(
  body: JsonRecord,
  event: 'create' | 'delete',
): NormalizedHook<HostPushData> {
  const rawRef = readText(body, 'ref');
  if (rawRef === undefined) throw createMalformedError(event, 'ref');
  const refName = rawRef.replace(/^refs\/(heads|tags)\//, '');
  const refType = readText(body, 'ref_type') === 'tag' ? 'tag' : 'branch';
  const common = readGiteaCommon(body, event, refType === 'tag' ? 'tag_push' : 'push');
  return buildHostRefEvent({
    event,
    common,
    refName,
    refType,
    refUrl: event === 'create' ? `${common.repo.url}/src/${refType}/${encodeURI(refName)}` : undefined,
    sha: readText(body, 'sha') ?? '',
  });
}
