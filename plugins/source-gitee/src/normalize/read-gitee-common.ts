import { pickFirst, readBoolean, readRecord, readText, type JsonRecord } from '@hookmux/core';

import { createMalformedError } from './create-malformed-error.js';
import type { GiteeCommonData, GiteePerson, GiteeRepoData } from './gitee-hook-data.js';
import { toGiteePerson } from './to-gitee-person.js';

export type GiteeCommonParts = Omit<GiteeCommonData, 'mentions'>;

/** Repository, actor and enterprise: what every hook kind has. */
export function readGiteeCommon(body: JsonRecord, kind: GiteeCommonData['kind']): GiteeCommonParts {
  const enterprise = readRecord(body, 'enterprise');
  const enterpriseName = readText(enterprise, 'name');
  return {
    kind,
    repo: readGiteeRepo(body, kind),
    actor: readGiteeActor(body),
    enterprise:
      enterpriseName === undefined ? undefined : { name: enterpriseName, url: readText(enterprise, 'url') },
  };
}

function readGiteeRepo(body: JsonRecord, kind: string): GiteeRepoData {
  // `repository` and `project` are the same object; either will do.
  const repo = readRecord(body, 'repository') ?? readRecord(body, 'project');
  if (repo === undefined) throw createMalformedError(kind, 'repository');
  const fullName = pickFirst(readText(repo, 'path_with_namespace'), readText(repo, 'full_name'));
  if (fullName === undefined) throw createMalformedError(kind, 'repository.path_with_namespace');
  const name = pickFirst(readText(repo, 'path'), fullName.split('/').pop(), fullName) ?? fullName;
  const url =
    pickFirst(readText(repo, 'html_url'), readText(repo, 'url'), `https://gitee.com/${fullName}`) ?? fullName;
  return {
    name,
    displayName: readText(repo, 'name') ?? name,
    fullName,
    namespace: pickFirst(
      readText(repo, 'namespace'),
      fullName.includes('/') ? fullName.slice(0, fullName.lastIndexOf('/')) : undefined,
    ),
    url,
    defaultBranch: readText(repo, 'default_branch'),
    private: readBoolean(repo, 'private') ?? false,
  };
}

/** Who did it: `sender` first; older or re-serialised bodies may only have the other copies. */
function readGiteeActor(body: JsonRecord): GiteePerson {
  let named: GiteePerson | undefined;
  for (const key of ['sender', 'user', 'pusher', 'author', 'updated_by']) {
    const person = toGiteePerson(body[key]);
    if (person?.login !== undefined) return person;
    named ??= person;
  }
  const login = readText(body, 'user_name');
  if (login !== undefined) return { login, name: named?.name ?? login, url: undefined };
  return named ?? { login: undefined, name: 'someone', url: undefined };
}
