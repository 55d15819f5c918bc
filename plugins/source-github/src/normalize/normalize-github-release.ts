import {
  type HostReleaseData,
  type JsonRecord,
  type NormalizedHook,
  readBoolean,
  readRecord,
  readText,
  toHostPerson,
  truncateText,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, readGitHubCommon } from './read-github-common.js';

export const gitHubReleaseActions: Readonly<Record<string, string>> = {
  published: 'publish',
  created: 'create',
  edited: 'update',
  deleted: 'delete',
  prereleased: 'prerelease',
  released: 'release',
  unpublished: 'unpublish',
};

export function normalizeGitHubRelease(body: JsonRecord): NormalizedHook<HostReleaseData> {
  const common = readGitHubCommon(body, 'release', 'release');
  const record = readRecord(body, 'release');
  if (record === undefined) throw createMalformedError('release', 'release');
  const tag = readText(record, 'tag_name');
  if (tag === undefined) throw createMalformedError('release', 'release.tag_name');
  const hostAction = readText(body, 'action') ?? 'published';
  const action = gitHubReleaseActions[hostAction] ?? hostAction;
  const release = {
    tag,
    name: readText(record, 'name') ?? tag,
    url: readText(record, 'html_url'),
    body: truncateText((readText(record, 'body') ?? '').replace(/\r\n/g, '\n'), 4000),
    draft: readBoolean(record, 'draft') ?? false,
    prerelease: readBoolean(record, 'prerelease') ?? false,
    author: toHostPerson(record['author']),
  };
  return {
    type: 'release',
    action,
    branch: undefined,
    tag,
    url: action === 'delete' ? common.repo.url : (release.url ?? common.repo.url),
    summary: `${whoOfHost(common)} ${hostAction} release ${release.name} (${tag}) in ${common.repo.fullName}`,
    data: { ...common, mentions: [], release },
  };
}
