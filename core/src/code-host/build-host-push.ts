import type { HostCommit, HostCommonData, HostPushData, NormalizedHook } from './hook-data.js';

/** The facts of a push once a host's wire format is read: the part every code host shares. */
export interface HostPushParts {
  /** The event type (`push`, `tag_push`; GitHub's and Gitea's `create` / `delete`). */
  readonly type: string;
  /** The common data as templates see it (no host helper fields). */
  readonly common: Omit<HostCommonData, 'mentions'>;
  readonly ref: string;
  /** Branch or tag name. */
  readonly refName: string;
  readonly isTag: boolean;
  readonly before: string;
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  readonly forced: boolean;
  readonly refUrl: string | undefined;
  readonly compareUrl: string | undefined;
  /** As listed in the message (hosts cap the list; `commitCount` counts them all). */
  readonly commits: readonly HostCommit[];
  readonly headCommit: HostCommit | undefined;
  readonly commitCount: number;
}

/** A create or delete of a branch or tag, told apart from a push (GitHub, Gitea). */
export interface HostRefEventParts {
  readonly event: 'create' | 'delete';
  readonly common: Omit<HostCommonData, 'mentions'>;
  readonly refName: string;
  readonly refType: 'branch' | 'tag';
  /** The ref's web page (absent when deleted). */
  readonly refUrl: string | undefined;
  /** The commit the ref pointed at. */
  readonly sha: string;
}

/** Hosts send an all-zero SHA as `before` of a new ref and `after` of a deleted one. */
export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

/** Who did it, as messages name them: the login, else the display name. */
export function whoOfHost(common: Pick<HostCommonData, 'actor'>): string {
  return common.actor.login ?? common.actor.name;
}

/** A branch or tag push: `create` / `delete` / `update`, its summary, link and data. */
export function buildHostPush(parts: HostPushParts): NormalizedHook<HostPushData> {
  const { common, refName, isTag, commitCount } = parts;
  const action = parts.created ? 'create' : parts.deleted ? 'delete' : 'update';
  const what = isTag ? 'tag' : 'branch';
  const who = whoOfHost(common);
  const summary =
    action === 'create'
      ? `${who} created ${what} ${refName} in ${common.repo.fullName}`
      : action === 'delete'
        ? `${who} deleted ${what} ${refName} in ${common.repo.fullName}`
        : isTag
          ? `${who} moved tag ${refName} in ${common.repo.fullName}`
          : `${who} pushed ${commitCount} ${commitCount === 1 ? 'commit' : 'commits'} to ${common.repo.fullName}:${refName}`;
  return {
    type: parts.type,
    action,
    branch: isTag ? undefined : refName,
    tag: isTag ? refName : undefined,
    url:
      action === 'update'
        ? (parts.compareUrl ?? parts.refUrl)
        : action === 'create'
          ? parts.refUrl
          : common.repo.url,
    summary,
    data: toHostPushData(parts),
  };
}

/** A `create` / `delete` event: the action is the ref type (`github.create.tag`). */
export function buildHostRefEvent(parts: HostRefEventParts): NormalizedHook<HostPushData> {
  const { event, common, refName, refType, refUrl, sha } = parts;
  const created = event === 'create';
  const isTag = refType === 'tag';
  return {
    type: event,
    action: refType,
    branch: isTag ? undefined : refName,
    tag: isTag ? refName : undefined,
    url: refUrl ?? common.repo.url,
    summary: `${whoOfHost(common)} ${created ? 'created' : 'deleted'} ${refType} ${refName} in ${common.repo.fullName}`,
    data: toHostPushData({
      type: event,
      common,
      ref: `refs/${isTag ? 'tags' : 'heads'}/${refName}`,
      refName,
      isTag,
      before: created ? '' : sha,
      after: created ? sha : '',
      created,
      deleted: !created,
      forced: false,
      refUrl,
      compareUrl: undefined,
      commits: [],
      headCommit: undefined,
      commitCount: 0,
    }),
  };
}

function toHostPushData(parts: HostPushParts): HostPushData {
  const { isTag, refName, commits, commitCount } = parts;
  return {
    ...parts.common,
    mentions: [],
    branch: isTag ? undefined : refName,
    tag: isTag ? refName : undefined,
    ref: parts.ref,
    refName,
    refUrl: parts.refUrl,
    before: parts.before,
    after: parts.after,
    created: parts.created,
    deleted: parts.deleted,
    forced: parts.forced,
    compareUrl: parts.compareUrl,
    commits,
    headCommit: parts.headCommit,
    commitCount,
    moreCommits: Math.max(0, commitCount - commits.length),
  };
}
