import type { SourceSample } from '@hookmux/core';

/** Playground samples: GitHub's real shapes (cut to what matters), made-up people and repository. */
const web = 'https://github.com';
const user = (login: string, id: number) => ({
  login,
  id,
  type: 'User',
  html_url: `${web}/${login}`,
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
});
const zhang = user('zhangsan-dev', 5001);
const li = user('lisi-ops', 5002);
const repository = {
  id: 880001,
  name: 'widget',
  full_name: 'acme-cn/widget',
  private: false,
  owner: user('acme-cn', 5000),
  html_url: `${web}/acme-cn/widget`,
  default_branch: 'main',
};
const sha = (n: number): string => `${n}`.repeat(40).slice(0, 40);
const commit = (n: number, message: string) => ({
  id: sha(n),
  tree_id: sha(n + 5),
  distinct: true,
  message,
  timestamp: '2024-06-01T10:0' + n + ':00+08:00',
  url: `${web}/acme-cn/widget/commit/${sha(n)}`,
  author: { name: '张三', email: 'zhangsan@example.com', username: 'zhangsan-dev' },
  committer: { name: '张三', email: 'zhangsan@example.com', username: 'zhangsan-dev' },
  added: [],
  removed: [],
  modified: ['src/login.ts'],
});

export const gitHubSamples: readonly SourceSample[] = [
  {
    label: 'GitHub：推送 2 个提交到 main',
    event: 'push',
    headers: { 'x-github-event': 'push', 'x-github-delivery': '6f1c2a40-1f2b-11ef-8c5e-0a1b2c3d4e5f' },
    payload: {
      ref: 'refs/heads/main',
      before: sha(1),
      after: sha(3),
      repository,
      pusher: { name: 'zhangsan-dev', email: 'zhangsan@example.com' },
      sender: zhang,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `${web}/acme-cn/widget/compare/${sha(1).slice(0, 12)}...${sha(3).slice(0, 12)}`,
      commits: [commit(2, 'feat: 支持企业微信扫码登录'), commit(3, 'fix: 修复登录页跳转\n\n详细说明')],
      head_commit: commit(3, 'fix: 修复登录页跳转\n\n详细说明'),
    },
  },
  {
    label: 'GitHub：创建 Pull Request',
    event: 'pull_request',
    headers: {
      'x-github-event': 'pull_request',
      'x-github-delivery': '7a2d3b50-1f2b-11ef-8c5e-0a1b2c3d4e5f',
    },
    payload: {
      action: 'opened',
      number: 42,
      pull_request: {
        number: 42,
        state: 'open',
        title: '新增扫码登录',
        body: '关联 #40',
        html_url: `${web}/acme-cn/widget/pull/42`,
        user: zhang,
        draft: false,
        merged: false,
        assignees: [],
        requested_reviewers: [li],
        labels: [{ name: 'feature' }],
        head: { ref: 'feat/qr-login', sha: sha(3), repo: repository },
        base: { ref: 'main', sha: sha(1), repo: repository },
        commits: 2,
        additions: 120,
        deletions: 8,
        changed_files: 5,
      },
      repository,
      sender: zhang,
    },
  },
  {
    label: 'GitHub：Actions 工作流失败',
    event: 'workflow_run',
    headers: {
      'x-github-event': 'workflow_run',
      'x-github-delivery': '8b3e4c60-1f2b-11ef-8c5e-0a1b2c3d4e5f',
    },
    payload: {
      action: 'completed',
      workflow_run: {
        id: 9100001,
        name: 'CI',
        head_branch: 'main',
        head_sha: sha(3),
        run_number: 128,
        run_attempt: 1,
        event: 'push',
        status: 'completed',
        conclusion: 'failure',
        html_url: `${web}/acme-cn/widget/actions/runs/9100001`,
        created_at: '2024-06-01T02:05:00Z',
        run_started_at: '2024-06-01T02:05:00Z',
        updated_at: '2024-06-01T02:09:30Z',
        actor: zhang,
        triggering_actor: zhang,
        head_commit: {
          id: sha(3),
          message: 'fix: 修复登录页跳转',
          timestamp: '2024-06-01T10:03:00+08:00',
          author: { name: '张三', email: 'zhangsan@example.com' },
        },
      },
      workflow: { id: 77, name: 'CI', path: '.github/workflows/ci.yml' },
      repository,
      sender: zhang,
    },
  },
];
