import type { SourceSample } from '@hookmux/core';

/** Playground samples: Gitea's real shapes (cut), made-up people on a made-up instance. */
const web = 'https://git.acme.example';
const user = (login: string, id: number, fullName: string) => ({
  id,
  login,
  login_name: '',
  full_name: fullName,
  email: `${login}@acme.example`,
  avatar_url: `${web}/avatars/${id}`,
  html_url: `${web}/${login}`,
  username: login,
});
const zhang = user('zhangsan', 11, '张三');
const li = user('lisi', 12, '李四');
const repository = {
  id: 301,
  owner: user('platform', 10, '平台组'),
  name: 'billing',
  full_name: 'platform/billing',
  private: true,
  html_url: `${web}/platform/billing`,
  clone_url: `${web}/platform/billing.git`,
  default_branch: 'main',
};
const sha = (n: number): string => `${n}`.repeat(40).slice(0, 40);
const commit = (n: number, message: string) => ({
  id: sha(n),
  message,
  url: `${web}/platform/billing/commit/${sha(n)}`,
  author: { name: '张三', email: 'zhangsan@acme.example', username: 'zhangsan' },
  committer: { name: '张三', email: 'zhangsan@acme.example', username: 'zhangsan' },
  verification: null,
  timestamp: '2024-06-01T10:00:00+08:00',
  added: [],
  removed: [],
  modified: ['invoice.go'],
});

export const giteaSamples: readonly SourceSample[] = [
  {
    label: 'Gitea：推送 2 个提交到 main',
    event: 'push',
    headers: { 'x-gitea-event': 'push', 'x-gitea-delivery': '0f5b8c7e-1d2a-4b3c-9e8f-7a6b5c4d3e2f' },
    payload: {
      ref: 'refs/heads/main',
      before: sha(1),
      after: sha(3),
      compare_url: `${web}/platform/billing/compare/${sha(1)}...${sha(3)}`,
      commits: [commit(2, '修复发票金额四舍五入'), commit(3, '新增月度账单导出\n\n详细说明')],
      total_commits: 2,
      head_commit: commit(3, '新增月度账单导出\n\n详细说明'),
      repository,
      pusher: zhang,
      sender: zhang,
    },
  },
  {
    label: 'Gitea：创建合并请求',
    event: 'pull_request',
    headers: { 'x-gitea-event': 'pull_request', 'x-gitea-delivery': '1a6c9d8f-2e3b-4c4d-8f9a-8b7c6d5e4f3a' },
    payload: {
      action: 'opened',
      number: 17,
      pull_request: {
        id: 9017,
        number: 17,
        user: zhang,
        title: '账单导出支持 CSV',
        body: '请 @lisi 帮忙看一下',
        labels: [{ id: 1, name: 'feature' }],
        milestone: null,
        assignee: null,
        assignees: null,
        requested_reviewers: [li],
        state: 'open',
        html_url: `${web}/platform/billing/pulls/17`,
        mergeable: true,
        merged: false,
        base: { label: 'main', ref: 'main', sha: sha(1), repo: repository },
        head: { label: 'feat/csv', ref: 'feat/csv', sha: sha(4), repo: repository },
      },
      repository,
      sender: zhang,
    },
  },
  {
    label: 'Forgejo：Actions 运行失败',
    event: 'action_run',
    headers: {
      'x-forgejo-event': 'action_run',
      'x-forgejo-delivery': '2b7d0e9a-3f4c-4d5e-9a0b-9c8d7e6f5a4b',
    },
    payload: {
      action: 'failure',
      run: {
        id: 88,
        title: 'CI',
        workflow_name: 'CI',
        status: 'failure',
        html_url: `${web}/platform/billing/actions/runs/88`,
        run_started_at: '2024-06-01T02:05:00Z',
        updated_at: '2024-06-01T02:08:10Z',
        event: 'push',
        head_branch: 'main',
        head_sha: sha(3),
        head_commit: commit(3, '新增月度账单导出'),
      },
      prior_status: 'success',
      repository,
      sender: zhang,
    },
  },
];
