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
  '请求体不像 Gitea/Forgejo/Gogs 的 Webhook 投递；请从仓库 设置 → Web 钩子 发送，或与该钩子的“最近推送记录”对比 / compare the body with a recent delivery of the Gitea webhook';

export function createMalformedError(event: string, field: string): HookmuxError {
  return createHostMalformedError('Gitea', event, field, malformedHint);
}

export function readGiteaCommon(body: JsonRecord, event: string, kind: HostKind): CommonParts {
  const repo = readRecord(body, 'repository') ?? readRecord(readRecord(body, 'run'), 'repository');
  if (repo === undefined) throw createMalformedError(event, 'repository');
  const fullName = readText(repo, 'full_name');
  if (fullName === undefined) throw createMalformedError(event, 'repository.full_name');
  const name = readText(repo, 'name') ?? fullName.split('/').pop() ?? fullName;
  const owner = readRecord(repo, 'owner');
  const repoData: HostRepo = {
    name,
    displayName: name,
    fullName,
    namespace: pickFirst(readText(owner, 'login'), readText(owner, 'username'), fullName.split('/')[0]),
    // Self-hosted: the instance's own address, from the page URL or, failing that, the clone URL.
    url:
      pickFirst(readText(repo, 'html_url'), readText(repo, 'clone_url')?.replace(/\.git$/, '')) ??
      `https://gitea.com/${fullName}`,
    defaultBranch: readText(repo, 'default_branch'),
    private: readBoolean(repo, 'private') ?? false,
  };
  return {
    kind,
    host: 'gitea',
    hostAction: readText(body, 'action'),
    repo: repoData,
    actor:
      toHostPerson(body['sender']) ??
      toHostPerson(body['pusher']) ??
      toHostPerson(readRecord(body, 'run')?.['trigger_user']) ??
      someone,
  };
}

export function toGiteaIssueInfo(issue: JsonRecord, repoUrl: string): HostIssueInfo {
  const number = readText(issue, 'number') ?? '?';
  const milestone = readRecord(issue, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  const assignees = toHostPeople([...readRecords(issue, 'assignees'), issue['assignee']]);
  const state = readText(issue, 'state');
  return {
    number,
    label: `#${number}`,
    title: readText(issue, 'title') ?? '',
    // 2017 Gitea sent no html_url on issues.
    url: readText(issue, 'html_url') ?? `${repoUrl}/issues/${number}`,
    state,
    stateName: state === 'open' ? '开启' : state === 'closed' ? '已关闭' : state,
    type: undefined,
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
  };
}

export function toGiteaPullRequestInfo(pr: JsonRecord, repoUrl: string): HostPullRequestInfo {
  const head = readRecord(pr, 'head');
  const base = readRecord(pr, 'base');
  const number = readNumber(pr, 'number') ?? readText(pr, 'number') ?? '?';
  const milestone = readRecord(pr, 'milestone');
  const milestoneTitle = readText(milestone, 'title');
  const merged = readBoolean(pr, 'merged') ?? false;
  return {
    number,
    label: `#${number}`,
    title: readText(pr, 'title') ?? '',
    url: readText(pr, 'html_url') ?? `${repoUrl}/pulls/${number}`,
    state: merged ? 'merged' : readText(pr, 'state'),
    sourceBranch: pickFirst(readText(head, 'ref'), readText(head, 'label')),
    targetBranch: pickFirst(readText(base, 'ref'), readText(base, 'label')),
    sourceRepo: readText(readRecord(head, 'repo'), 'full_name'),
    targetRepo: readText(readRecord(base, 'repo'), 'full_name'),
    author: toHostPerson(pr['user']),
    assignees: toHostPeople([...readRecords(pr, 'assignees'), pr['assignee']]),
    reviewers: toHostPeople(readRecords(pr, 'requested_reviewers')),
    testers: [],
    merged,
    draft: readBoolean(pr, 'draft') ?? /^(WIP|Draft):/i.test(readText(pr, 'title') ?? ''),
    mergeStatus: undefined,
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
