import {
  createHostMalformedError,
  type HookmuxError,
  type HostCommonData,
  type HostIssueInfo,
  type HostKind,
  type HostPullRequestInfo,
  type HostRepo,
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
  toHostPerson,
  truncateText,
} from '@hookmux/core';

export type CommonParts = Omit<HostCommonData, 'mentions'>;

const maxBodyLength = 4000;

const malformedHint =
  '请求体不像 GitHub Webhook 的投递；请从 GitHub 发送，或与仓库 Settings → Webhooks → Recent Deliveries 中的记录对比 / compare the body with a delivery under Recent Deliveries';

export function createMalformedError(event: string, field: string): HookmuxError {
  return createHostMalformedError('GitHub', event, field, malformedHint);
}

export function readGitHubCommon(body: JsonRecord, event: string, kind: HostKind): CommonParts {
  const repo = readRecord(body, 'repository');
  if (repo === undefined) throw createMalformedError(event, 'repository');
  const fullName = readText(repo, 'full_name');
  if (fullName === undefined) throw createMalformedError(event, 'repository.full_name');
  const name = readText(repo, 'name') ?? fullName.split('/').pop() ?? fullName;
  const owner = readRecord(repo, 'owner');
  const repoData: HostRepo = {
    name,
    displayName: name,
    fullName,
    namespace: pickFirst(readText(owner, 'login'), readText(owner, 'name'), fullName.split('/')[0]),
    url: pickFirst(readText(repo, 'html_url'), `https://github.com/${fullName}`) ?? fullName,
    defaultBranch: pickFirst(readText(repo, 'default_branch'), readText(repo, 'master_branch')),
    private: readBoolean(repo, 'private') ?? false,
  };
  return {
    kind,
    host: 'github',
    hostAction: readText(body, 'action'),
    repo: repoData,
    actor: toHostPerson(body['sender']) ?? toHostPerson(body['pusher']) ?? someone,
  };
}

export function toGitHubIssueInfo(issue: JsonRecord): HostIssueInfo {
  const number = readText(issue, 'number') ?? '?';
  const milestone = readRecord(issue, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  const assignees = toHostPeople([...readRecords(issue, 'assignees'), issue['assignee']]);
  const type = readText(readRecord(issue, 'type'), 'name');
  return {
    number,
    label: `#${number}`,
    title: readText(issue, 'title') ?? '',
    url: readText(issue, 'html_url'),
    state: readText(issue, 'state'),
    stateName: stateName(readText(issue, 'state'), readText(issue, 'state_reason')),
    author: toHostPerson(issue['user']),
    assignee: assignees[0],
    assignees,
    labels: readLabels(readRecords(issue, 'labels')),
    milestone:
      milestoneTitle === undefined
        ? undefined
        : { title: milestoneTitle, url: readText(milestone, 'html_url') },
    body: truncateText((readText(issue, 'body') ?? '').replace(/\r\n/g, '\n'), maxBodyLength),
    confidential: false,
    type,
  };
}

function stateName(state: string | undefined, reason: string | undefined): string | undefined {
  if (state === 'open') return '开启';
  if (state === 'closed')
    return reason === 'not_planned'
      ? '已关闭（不计划）'
      : reason === 'duplicate'
        ? '已关闭（重复）'
        : '已关闭';
  return state;
}

export function toGitHubPullRequestInfo(pr: JsonRecord): HostPullRequestInfo {
  const head = readRecord(pr, 'head');
  const base = readRecord(pr, 'base');
  const number = readNumber(pr, 'number') ?? readText(pr, 'number') ?? '?';
  const milestone = readRecord(pr, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  const merged = readBoolean(pr, 'merged') ?? readText(pr, 'merged_at') !== undefined;
  const state = readText(pr, 'state');
  return {
    number,
    label: `#${number}`,
    title: readText(pr, 'title') ?? '',
    url: readText(pr, 'html_url'),
    state: merged ? 'merged' : state,
    sourceBranch: readText(head, 'ref'),
    targetBranch: readText(base, 'ref'),
    sourceRepo: readText(readRecord(head, 'repo'), 'full_name'),
    targetRepo: readText(readRecord(base, 'repo'), 'full_name'),
    author: toHostPerson(pr['user']),
    assignees: toHostPeople([...readRecords(pr, 'assignees'), pr['assignee']]),
    reviewers: toHostPeople(readRecords(pr, 'requested_reviewers')),
    testers: [],
    merged,
    draft: readBoolean(pr, 'draft') ?? false,
    mergeStatus: readText(pr, 'mergeable_state'),
    mergeable: readBoolean(pr, 'mergeable'),
    milestone:
      milestoneTitle === undefined
        ? undefined
        : { title: milestoneTitle, url: readText(milestone, 'html_url') },
    labels: readLabels(readRecords(pr, 'labels')),
    body: truncateText((readText(pr, 'body') ?? '').replace(/\r\n/g, '\n'), maxBodyLength),
    commits: readNumber(pr, 'commits'),
    additions: readNumber(pr, 'additions'),
    deletions: readNumber(pr, 'deletions'),
    changedFiles: readNumber(pr, 'changed_files'),
    mergeCommitSha: merged ? readText(pr, 'merge_commit_sha') : undefined,
  };
}
