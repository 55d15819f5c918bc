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
import { createMalformedError, readGiteaCommon } from './read-gitea-common.js';

export const giteaReleaseActions: Readonly<Record<string, string>> = {
  published: 'publish',
  updated: 'update',
  deleted: 'delete',
};

export function normalizeGiteaRelease(body: JsonRecord): NormalizedHook<HostReleaseData> {
  const common = readGiteaCommon(body, 'release', 'release');
  const record = readRecord(body, 'release');
  if (record === undefined) throw createMalformedError('release', 'release');
  const tag = readText(record, 'tag_name');
  if (tag === undefined) throw createMalformedError('release', 'release.tag_name');
  const hostAction = readText(body, 'action') ?? 'published';
  const action = giteaReleaseActions[hostAction] ?? hostAction;
  const release = {
    tag,
    name: readText(record, 'name') ?? tag,
    url: readText(record, 'html_url') ?? `${common.repo.url}/releases/tag/${encodeURIComponent(tag)}`,
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
    url: action === 'delete' ? common.repo.url : release.url,
    summary: `${whoOfHost(common)} ${hostAction} release ${release.name} (${tag}) in ${common.repo.fullName}`,
    data: { ...common, mentions: [], release },
  };
}
