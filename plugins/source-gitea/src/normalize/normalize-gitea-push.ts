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
import { createMalformedError, readGiteaCommon, whoOf } from './read-gitea-common.js';

const zeroSha = /^0+$/;

/** `push` (branches and tags): Gitea sends no created/deleted flags, so the all-zero SHA says it. */
export function normalizeGiteaPush(body: JsonRecord): NormalizedHook<HostPushData> {
  const ref = readText(body, 'ref');
  if (ref === undefined) throw createMalformedError('push', 'ref');
  const isTag = ref.startsWith('refs/tags/');
  const common = readGiteaCommon(body, 'push', isTag ? 'tag_push' : 'push');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const before = readText(body, 'before') ?? '';
  const after = readText(body, 'after') ?? '';
  const created = zeroSha.test(before);
  const deleted = zeroSha.test(after);
  const action = created ? 'create' : deleted ? 'delete' : 'update';
  const commits = readRecords(body, 'commits')
    .map((c) => toHostCommit(c))
    .filter((c): c is HostCommit => c !== undefined);
  const headCommit = toHostCommit(body['head_commit']);
  // Gitea lists at most `webhook.PAYLOAD_COMMIT_LIMIT` commits; `total_commits` counts them all.
  const commitCount = Math.max(readNumber(body, 'total_commits') ?? commits.length, commits.length);
  const refUrl = deleted
    ? undefined
    : `${common.repo.url}/src/${isTag ? 'tag' : 'branch'}/${encodeURI(refName)}`;
  const compareUrl = action === 'update' ? readText(body, 'compare_url') : undefined;
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
      forced: false,
      compareUrl,
      commits,
      headCommit,
      commitCount,
      moreCommits: Math.max(0, commitCount - commits.length),
    },
  };
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
  const created = event === 'create';
  const refUrl = created ? `${common.repo.url}/src/${refType}/${encodeURI(refName)}` : undefined;
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
      ref: `refs/${refType === 'tag' ? 'tags' : 'heads'}/${refName}`,
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
