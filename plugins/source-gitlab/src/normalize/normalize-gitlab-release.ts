import {
  type HostReleaseData,
  type JsonRecord,
  type NormalizedHook,
  readText,
  truncateText,
  whoOfHost,
} from '@hookmux/core';
import { createMalformedError, publicCommon, readGitLabCommon } from './read-gitlab-common.js';

/** Release Hook: `create`, `update`, `delete` (GitLab's own names). */
export function normalizeGitLabRelease(body: JsonRecord): NormalizedHook<HostReleaseData> {
  const common = readGitLabCommon(body, 'release', 'release');
  const tag = readText(body, 'tag');
  if (tag === undefined) throw createMalformedError('release', 'tag');
  const action = readText(body, 'action') ?? 'create';
  const release = {
    tag,
    name: readText(body, 'name') ?? tag,
    url: readText(body, 'url') ?? `${common.repo.url}/-/releases/${encodeURIComponent(tag)}`,
    body: truncateText((readText(body, 'description') ?? '').replace(/\r\n/g, '\n'), 4000),
    draft: false,
    prerelease: readText(body, 'upcoming_release') === 'true',
    author: undefined,
  };
  return {
    type: 'release',
    action,
    branch: undefined,
    tag,
    url: action === 'delete' ? common.repo.url : release.url,
    summary: `${whoOfHost(common)} ${action}d release ${release.name} (${tag}) in ${common.repo.fullName}`,
    data: { ...publicCommon(common), mentions: [], release },
  };
}
