import { createHmac } from 'node:crypto';

/** Gitee's signature mode: base64(HMAC-SHA256(key = secret, msg = `${timestamp}\n${secret}`)). */
export function signGitee(secret: string, timestamp: number | string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export interface PushSpec {
  readonly repo?: string;
  readonly branch?: string;
  readonly pusher?: string;
  readonly pusherName?: string;
  readonly commits?: readonly { readonly message: string; readonly author?: string }[];
  /** Makes the body (and so the event id) distinct. */
  readonly seq?: number;
  readonly hookId?: number;
}

/**
 * A push body shaped like Gitee's real `push_hooks` deliveries (see ../shared/fixtures/gitee/push-1),
 * built from a few facts so tests can vary repo, branch and commits.
 */
export function buildPushBody(spec: PushSpec = {}): Record<string, unknown> {
  const repo = spec.repo ?? 'acme/widget';
  const [namespace = 'acme', path = 'widget'] = repo.split('/');
  const branch = spec.branch ?? 'main';
  const login = spec.pusher ?? 'zhangsan';
  const name = spec.pusherName ?? '张三';
  const seq = spec.seq ?? 1;
  const sha = (n: number): string =>
    (seq.toString(16).padStart(8, '0') + n.toString(16).padStart(32, '0')).slice(0, 40);
  const web = `https://gitee.com/${repo}`;
  const user = {
    id: 1001,
    name,
    email: `${login}@example.com`,
    username: login,
    user_name: login,
    login,
    url: `https://gitee.com/${login}`,
  };
  const commits = (spec.commits ?? [{ message: 'feat: 第一个提交 🚀\n\n详细说明' }]).map((c, i) => ({
    id: sha(i + 1),
    tree_id: sha(900 + i),
    parent_ids: [sha(i)],
    distinct: true,
    message: c.message,
    timestamp: '2024-06-01T10:00:00+08:00',
    url: `${web}/commit/${sha(i + 1)}`,
    author: {
      name: c.author ?? name,
      email: `${login}@example.com`,
      username: login,
      user_name: login,
      url: `https://gitee.com/${login}`,
    },
    committer: {
      name: c.author ?? name,
      email: `${login}@example.com`,
      username: login,
      user_name: login,
      url: `https://gitee.com/${login}`,
    },
    added: [],
    removed: [],
    modified: ['README.md'],
  }));
  const repository = {
    id: 42,
    name: path,
    path,
    full_name: repo,
    owner: user,
    private: false,
    html_url: web,
    url: web,
    description: '',
    fork: false,
    default_branch: 'main',
    namespace,
    name_with_namespace: `${namespace}/${path}`,
    path_with_namespace: repo,
  };
  const before = sha(0);
  const after = sha(commits.length);
  return {
    ref: `refs/heads/${branch}`,
    before,
    after,
    created: false,
    deleted: false,
    compare: `${web}/compare/${before}...${after}`,
    commits,
    head_commit: commits[commits.length - 1] ?? null,
    total_commits_count: commits.length,
    commits_more_than_ten: commits.length > 10,
    repository,
    project: repository,
    user_id: 1001,
    user_name: name,
    user,
    pusher: user,
    sender: user,
    enterprise: null,
    hook_name: 'push_hooks',
    hook_id: spec.hookId ?? 7001,
    hook_url: `${web}/hooks/${spec.hookId ?? 7001}/edit`,
    password: '',
    sign: '',
    timestamp: '',
    push_data: null,
  };
}

export interface GiteePost {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Headers and body as Gitee sends them, in signature mode (default) or password mode. */
export function giteeRequest(
  body: Record<string, unknown>,
  secret: string,
  options: { mode?: 'signature' | 'password'; timestamp?: number; event?: string } = {},
): GiteePost {
  const timestamp = options.timestamp ?? Date.now();
  const token = options.mode === 'password' ? secret : signGitee(secret, timestamp);
  const sent = {
    ...body,
    timestamp: String(timestamp),
    ...(options.mode === 'password' ? { password: secret } : { sign: token }),
  };
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'git-oschina-hook',
      'x-gitee-event': options.event ?? 'Push Hook',
      'x-gitee-token': token,
      'x-gitee-timestamp': String(timestamp),
      'x-gitee-ping': 'false',
    },
    body: JSON.stringify(sent),
  };
}
