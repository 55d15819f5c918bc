import type { SourceSample } from '@hookmux/core';

/**
 * Payloads the admin playground offers for Gitee: shaped like Gitee's real deliveries, with
 * made-up people and repositories. `event` is the `X-Gitee-Event` header sent with each.
 */
const user = {
  id: 1001,
  name: '张三',
  login: 'zhangsan',
  username: 'zhangsan',
  user_name: 'zhangsan',
  email: 'zhangsan@example.com',
  url: 'https://gitee.com/zhangsan',
  html_url: 'https://gitee.com/zhangsan',
};
const reviewer = { ...user, id: 1002, name: '李四', login: 'lisi', username: 'lisi', user_name: 'lisi' };
const repository = {
  id: 42,
  name: 'widget',
  path: 'widget',
  full_name: 'acme/widget',
  path_with_namespace: 'acme/widget',
  name_with_namespace: 'acme/widget',
  namespace: 'acme',
  html_url: 'https://gitee.com/acme/widget',
  url: 'https://gitee.com/acme/widget',
  default_branch: 'main',
  private: false,
  owner: user,
};
const web = repository.html_url;
const sha = (n: number): string => `${n}`.repeat(40).slice(0, 40);

const commit = (n: number, message: string): Record<string, unknown> => ({
  id: sha(n),
  message,
  timestamp: '2024-06-01T10:00:00+08:00',
  url: `${web}/commit/${sha(n)}`,
  author: { name: '张三', email: 'zhangsan@example.com', username: 'zhangsan', user_name: 'zhangsan' },
  committer: { name: '张三', email: 'zhangsan@example.com', username: 'zhangsan', user_name: 'zhangsan' },
  distinct: true,
  added: [],
  removed: [],
  modified: ['README.md'],
});

const commits = [
  commit(2, 'feat: 支持企业微信 markdown 🚀\n\n详细说明'),
  commit(3, 'fix: handle empty commit lists'),
];

export const giteeSamples: readonly SourceSample[] = [
  {
    label: 'Push to main (2 commits)',
    event: 'Push Hook',
    payload: {
      hook_name: 'push_hooks',
      hook_id: 7001,
      ref: 'refs/heads/main',
      before: sha(1),
      after: sha(3),
      created: false,
      deleted: false,
      compare: `${web}/compare/${sha(1)}...${sha(3)}`,
      commits,
      head_commit: commits[1],
      total_commits_count: 2,
      commits_more_than_ten: false,
      repository,
      project: repository,
      user_name: '张三',
      user,
      pusher: user,
      sender: user,
    },
  },
  {
    label: 'Pull request merged',
    event: 'Merge Request Hook',
    payload: {
      hook_name: 'merge_request_hooks',
      hook_id: 7001,
      action: 'merge',
      number: 17,
      iid: 17,
      title: '登录页支持扫码',
      state: 'merged',
      url: `${web}/pulls/17`,
      source_branch: 'feature/qr-login',
      target_branch: 'main',
      pull_request: {
        number: 17,
        title: '登录页支持扫码',
        body: '扫码登录，附带单元测试。',
        state: 'merged',
        merged: true,
        html_url: `${web}/pulls/17`,
        user,
        head: { ref: 'feature/qr-login', repo: repository },
        base: { ref: 'main', repo: repository },
        assignees: [reviewer],
      },
      author: user,
      updated_by: reviewer,
      repository,
      project: repository,
      user_name: 'lisi',
      sender: reviewer,
    },
  },
  {
    label: 'Issue opened',
    event: 'Issue Hook',
    payload: {
      hook_name: 'issue_hooks',
      hook_id: 7001,
      action: 'open',
      iid: 'I8ABCD',
      title: '导出 CSV 时中文乱码',
      state: 'open',
      url: `${web}/issues/I8ABCD`,
      description: '用 Excel 打开导出的 CSV，中文全是乱码。',
      issue: {
        number: 'I8ABCD',
        title: '导出 CSV 时中文乱码',
        body: '用 Excel 打开导出的 CSV，中文全是乱码。',
        state: 'open',
        html_url: `${web}/issues/I8ABCD`,
        user,
        labels: [{ name: 'bug', color: 'ee0701' }],
      },
      repository,
      project: repository,
      user_name: 'zhangsan',
      user,
      sender: user,
    },
  },
];
