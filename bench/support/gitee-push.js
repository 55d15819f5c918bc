// Signed Gitee push deliveries for the bench, each one distinct (its own sequence number, timestamp
// and signature), and how the fake robot recognises which pushes a message carries.
import { createHmac } from 'node:crypto';

/** Gitee's signature mode: base64(HMAC-SHA256(key = secret, msg = `${timestamp}\n${secret}`)). */
export function signGitee(secret, timestamp) {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** A 5-commit push like Gitee's real `push_hooks` deliveries, tagged with `seq` (about 7 KB). */
export function pushBody(seq) {
  const repo = 'acme/bench';
  const web = `https://gitee.com/${repo}`;
  const sha = (n) => (seq.toString(16).padStart(8, '0') + n.toString(16).padStart(32, '0')).slice(0, 40);
  const user = {
    id: 1001,
    name: '张三',
    email: 'zhangsan@example.com',
    username: 'zhangsan',
    user_name: 'zhangsan',
    login: 'zhangsan',
    url: 'https://gitee.com/zhangsan',
  };
  const commits = Array.from({ length: 5 }, (_, i) => ({
    id: sha(i + 1),
    tree_id: sha(900 + i),
    parent_ids: [sha(i)],
    distinct: true,
    message: `feat: 基准测试提交 ${i + 1} token-${seq}-end\n\n${'详细说明，'.repeat(30)}`,
    timestamp: '2024-06-01T10:00:00+08:00',
    url: `${web}/commit/${sha(i + 1)}`,
    author: user,
    committer: user,
    added: ['src/a.ts'],
    removed: [],
    modified: ['README.md', 'src/b.ts'],
  }));
  const repository = {
    id: 42,
    name: 'bench',
    path: 'bench',
    full_name: repo,
    owner: user,
    private: false,
    html_url: web,
    url: web,
    description: '基准测试仓库',
    fork: false,
    default_branch: 'main',
    namespace: 'acme',
    name_with_namespace: repo,
    path_with_namespace: repo,
  };
  return {
    ref: 'refs/heads/main',
    before: sha(0),
    after: sha(5),
    created: false,
    deleted: false,
    // The digest keeps each event's link: the robot finds the push number in it.
    compare: `${web}/compare/bench${seq}...${sha(5)}`,
    commits,
    head_commit: commits[4],
    total_commits_count: 5,
    commits_more_than_ten: false,
    repository,
    project: repository,
    user_id: 1001,
    user_name: '张三',
    user,
    pusher: user,
    sender: user,
    enterprise: null,
    hook_name: 'push_hooks',
    hook_id: 7001,
    hook_url: `${web}/hooks/7001/edit`,
    password: '',
    sign: '',
    timestamp: '',
    push_data: null,
  };
}

/** `next()` gives a new signed push each call (headers + body); `bytes` is the body size. */
export function pushFactory({ secret }) {
  let seq = 0;
  let last = 0;
  const make = () => {
    seq++;
    // Gitee signs the timestamp only: two pushes in one millisecond would be one replayed request.
    const timestamp = Math.max(Date.now(), last + 1);
    last = timestamp;
    const sign = signGitee(secret, timestamp);
    const body = JSON.stringify({ ...pushBody(seq), timestamp: String(timestamp), sign });
    return {
      seq,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'git-oschina-hook',
        'x-gitee-event': 'Push Hook',
        'x-gitee-token': sign,
        'x-gitee-timestamp': String(timestamp),
        'x-gitee-ping': 'false',
      },
    };
  };
  const bytes = Buffer.byteLength(make().body);
  seq = 0;
  return { next: make, bytes };
}

/** Push numbers a robot message carries: by commit token or by compare link (digests). */
export function pushesIn(text) {
  const found = new Set();
  for (const m of text.matchAll(/token-(\d+)-end/g)) found.add(Number(m[1]));
  for (const m of text.matchAll(/compare\/bench(\d+)\.\.\./g)) found.add(Number(m[1]));
  return found;
}
