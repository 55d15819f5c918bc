import {
  createHostMalformedError,
  type HookmuxError,
  type HostCommonData,
  type HostIssueInfo,
  type HostKind,
  type HostPerson,
  type HostPullRequestInfo,
  type HostRepo,
  isJsonRecord,
  type JsonRecord,
  pickFirst,
  readBoolean,
  readLabels,
  readNumber,
  readRecord,
  readRecords,
  readText,
  someone,
  toHostPeople,
  truncateText,
} from '@hookmux/core';

export type CommonParts = Omit<HostCommonData, 'mentions'> & {
  /** `https://gitlab.example.com`: the instance, for links GitLab does not send (user pages). */
  readonly origin: string | undefined;
};

const maxBodyLength = 4000;

const malformedHint =
  '请求体不像 GitLab Webhook 的投递；请在项目 设置 → Webhooks 中点“测试”发送，或与 Recent events 中的记录对比 / compare the body with a recent event of the GitLab webhook';

export function createMalformedError(hook: string, field: string): HookmuxError {
  return createHostMalformedError('GitLab', hook, field, malformedHint);
}

/**
 * The project: `project.path_with_namespace` (the full `group/subgroup/name` path) on every hook
 * since GitLab 8.x; 2017-era job hooks only name `repository.homepage`, which ends in the same path.
 */
function readGitLabRepo(body: JsonRecord, hook: string): HostRepo {
  const project = readRecord(body, 'project');
  const repository = readRecord(body, 'repository');
  const web = pickFirst(readText(project, 'web_url'), readText(repository, 'homepage'));
  const fullName =
    readText(project, 'path_with_namespace') ??
    (web === undefined ? undefined : new URL(web).pathname.replace(/^\/+|\/+$/g, ''));
  if (fullName === undefined || fullName === '')
    throw createMalformedError(hook, 'project.path_with_namespace');
  const path = fullName.split('/').pop() ?? fullName;
  const visibility = readNumber(project, 'visibility_level') ?? readNumber(repository, 'visibility_level');
  return {
    name: path,
    displayName: pickFirst(readText(project, 'name'), readText(repository, 'name'), path) ?? path,
    fullName,
    namespace: fullName.includes('/') ? fullName.slice(0, fullName.lastIndexOf('/')) : undefined,
    url: web ?? `https://gitlab.com/${fullName}`,
    defaultBranch: readText(project, 'default_branch'),
    // 0 private, 10 internal (signed-in users), 20 public.
    private: visibility === undefined ? false : visibility < 20,
  };
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** A GitLab user `{name, username}`; GitLab sends no page URL, so it is built from the instance. */
export function toGitLabPerson(value: unknown, origin: string | undefined): HostPerson | undefined {
  if (!isJsonRecord(value)) return undefined;
  const login = pickFirst(readText(value, 'username'), readText(value, 'user_username'));
  const name = pickFirst(readText(value, 'name'), readText(value, 'user_name'), login);
  if (name === undefined) return undefined;
  return {
    login,
    name,
    url: pickFirst(
      readText(value, 'web_url'),
      login !== undefined && origin !== undefined ? `${origin}/${login}` : undefined,
    ),
  };
}

export function toGitLabPeople(values: readonly unknown[], origin: string | undefined): HostPerson[] {
  return toHostPeople(
    values.map((v) => (isJsonRecord(v) ? { ...v, html_url: toGitLabPerson(v, origin)?.url } : v)),
  );
}

export function readGitLabCommon(body: JsonRecord, hook: string, kind: HostKind): CommonParts {
  const repo = readGitLabRepo(body, hook);
  const origin = originOf(repo.url);
  // Push hooks name the pusher in flat fields; the others send `user`.
  const actor =
    toGitLabPerson(body['user'], origin) ??
    toGitLabPerson(
      { username: readText(body, 'user_username'), name: readText(body, 'user_name') },
      origin,
    ) ??
    someone;
  return {
    kind,
    host: 'gitlab',
    hostAction: readText(readRecord(body, 'object_attributes'), 'action') ?? readText(body, 'action'),
    repo,
    actor,
    origin,
  };
}

/** Who wrote it: GitLab sends only `author_id`, so a name is known when the author is the acting user. */
function readAuthor(
  attributes: JsonRecord,
  body: JsonRecord,
  origin: string | undefined,
): HostPerson | undefined {
  const user = readRecord(body, 'user');
  const authorId = readNumber(attributes, 'author_id');
  return authorId !== undefined && authorId === readNumber(user, 'id')
    ? toGitLabPerson(user, origin)
    : undefined;
}

export function toGitLabIssueInfo(issue: JsonRecord, body: JsonRecord, common: CommonParts): HostIssueInfo {
  const number = pickFirst(readText(issue, 'iid'), readText(issue, 'id')) ?? '?';
  const state = readText(issue, 'state');
  const assignees = toGitLabPeople([...readRecords(body, 'assignees'), body['assignee']], common.origin);
  const labels = readLabels(
    readRecords(body, 'labels').length > 0 ? readRecords(body, 'labels') : readRecords(issue, 'labels'),
  );
  const milestone = readRecord(issue, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  return {
    number,
    label: `#${number}`,
    title: readText(issue, 'title') ?? '',
    url: readText(issue, 'url') ?? `${common.repo.url}/-/issues/${number}`,
    state,
    stateName: state === 'opened' ? '开启' : state === 'closed' ? '已关闭' : state,
    type: readText(issue, 'type') ?? readText(issue, 'work_item_type'),
    author: readAuthor(issue, body, common.origin),
    assignee: assignees[0],
    assignees,
    labels,
    milestone: milestoneTitle === undefined ? undefined : { title: milestoneTitle, url: undefined },
    body: truncateText((readText(issue, 'description') ?? '').replace(/\r\n/g, '\n'), maxBodyLength),
    confidential: readBoolean(issue, 'confidential') ?? false,
  };
}

export function toGitLabMergeRequestInfo(
  mr: JsonRecord,
  body: JsonRecord,
  common: CommonParts,
): HostPullRequestInfo {
  const number = pickFirst(readText(mr, 'iid'), readText(mr, 'id')) ?? '?';
  const state = readText(mr, 'state');
  const merged = state === 'merged';
  const lastCommit = readRecord(mr, 'last_commit');
  const labels = readLabels(
    readRecords(body, 'labels').length > 0 ? readRecords(body, 'labels') : readRecords(mr, 'labels'),
  );
  const milestone = readRecord(mr, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  return {
    number: Number(number) || number,
    label: `!${number}`,
    title: readText(mr, 'title') ?? '',
    url: readText(mr, 'url') ?? `${common.repo.url}/-/merge_requests/${number}`,
    state: state === 'opened' ? 'open' : state,
    sourceBranch: readText(mr, 'source_branch'),
    targetBranch: readText(mr, 'target_branch'),
    sourceRepo: readText(readRecord(mr, 'source'), 'path_with_namespace'),
    targetRepo: readText(readRecord(mr, 'target'), 'path_with_namespace'),
    author: readAuthor(mr, body, common.origin),
    assignees: toGitLabPeople([...readRecords(body, 'assignees'), body['assignee']], common.origin),
    reviewers: toGitLabPeople(readRecords(body, 'reviewers'), common.origin),
    testers: [],
    merged,
    draft: readBoolean(mr, 'draft') ?? readBoolean(mr, 'work_in_progress') ?? false,
    mergeStatus: readText(mr, 'merge_status'),
    mergeable: undefined,
    milestone: milestoneTitle === undefined ? undefined : { title: milestoneTitle, url: undefined },
    labels,
    body: truncateText((readText(mr, 'description') ?? '').replace(/\r\n/g, '\n'), maxBodyLength),
    commits: undefined,
    additions: undefined,
    deletions: undefined,
    changedFiles: undefined,
    mergeCommitSha: merged ? (readText(mr, 'merge_commit_sha') ?? readText(lastCommit, 'id')) : undefined,
  };
}

/** Drops the helper field before the data reaches templates. */
export function publicCommon(common: CommonParts): Omit<HostCommonData, 'mentions'> {
  return {
    kind: common.kind,
    host: common.host,
    hostAction: common.hostAction,
    repo: common.repo,
    actor: common.actor,
  };
}
