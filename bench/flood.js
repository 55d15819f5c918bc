// Flood scenario (issue 12): ≥ 20,000 distinct signed Gitee pushes at full speed to one WeCom
// robot limited to 20/min. Reports how long after the last acceptance every event was inside a
// sent message (target ≤ 2 min), the most messages the robot got in any minute (≤ 20) and any
// 45009. Run after `npm run build`:
//
//   node bench/flood.js [--events 20000] [--connections 50] [--storage sqlite|redis]
//                       [--redis-url redis://127.0.0.1:6379/0] [--give-up 600]
//
// The fake robot runs in this process and answers like WeCom (robots.md §1): HTTP 200, errcode 0,
// or 45009 past 20 requests in any 60 s per key. A message carries an event when it prints the
// event's short sha, or counts it: a digest says `共 N 条` (the built-in `_digest` templates; the
// older `**hookmux: N events**` header is read too, to compare), any other message is one push.
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '50' },
    storage: { type: 'string', default: 'sqlite' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/0' },
    'give-up': { type: 'string', default: '600' },
  },
});
const total = Number(opts.events);
const connections = Number(opts.connections);
const giveUpMs = Number(opts['give-up']) * 1000;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const hookmuxMain = join(repoRoot, 'core/lib/cli/main.js');
const secret = 'bench-flood-signing-key-0123456789';
const limit = { count: 20, windowMs: 60_000 };

if (!existsSync(hookmuxMain)) {
  console.error(`${hookmuxMain} is missing: run \`npm run build\` first`);
  process.exit(1);
}

// --- the fake robot ---------------------------------------------------------------------------
const robot = {
  admitted: [],
  messages: 0,
  tooFast: 0,
  carried: 0,
  /** When `carried` first reached `total`. */
  allCarriedAt: undefined,
  biggestDigest: 0,
};

function carriedBy(content) {
  const digest = /共 (\d+) 条/.exec(content) ?? /hookmux: (\d+) events?/.exec(content);
  return digest === null ? 1 : Number(digest[1]);
}

const robotServer = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    const recent = robot.admitted.filter((t) => now - t < limit.windowMs);
    if (recent.length >= limit.count) {
      robot.tooFast++;
      return reply(res, { errcode: 45009, errmsg: 'api freq out of limit' });
    }
    robot.admitted.push(now);
    robot.messages++;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const part = body[String(body.msgtype)];
    const content = typeof part?.content === 'string' ? part.content : JSON.stringify(body);
    const n = carriedBy(content);
    robot.biggestDigest = Math.max(robot.biggestDigest, n);
    robot.carried += n;
    if (robot.carried >= total && robot.allCarriedAt === undefined) robot.allCarriedAt = now;
    reply(res, { errcode: 0, errmsg: 'ok' });
  });
});

function reply(res, body) {
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function maxInAnyMinute(times) {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= limit.windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

// --- pushes ---------------------------------------------------------------------------------
const repos = ['lanting-lab/payment-gateway', 'lanting-lab/yunque-api', 'lanting-lab/admin-web', 'ops/infra'];
const branches = ['main', 'feature/退款-v2', 'fix/登录跳转', 'release/v2.3'];
const people = [
  ['lina-dev', '李娜'],
  ['wangwei', '王伟'],
  ['zhangwei', '张伟'],
];
const timestampBase = Date.now() - 30 * 60_000;

function pushRequest(seq) {
  const repo = repos[seq % repos.length];
  const branch = branches[Math.floor(seq / repos.length) % branches.length];
  const [login, name] = people[seq % people.length];
  const id = createHash('sha1').update(`flood/${seq}`).digest('hex');
  const before = createHash('sha1').update(`flood/${seq}/before`).digest('hex');
  const web = `https://gitee.com/${repo}`;
  const user = {
    id: 1000 + (seq % 3),
    name,
    login,
    username: login,
    user_name: login,
    url: `https://gitee.com/${login}`,
  };
  const commit = {
    id,
    message: `fix: 第 ${seq} 次修正 hmx-flood-${seq}-end`,
    timestamp: '2024-06-01T10:00:00+08:00',
    url: `${web}/commit/${id}`,
    author: { name, email: `${login}@example.com`, username: login, user_name: login },
    committer: { name, email: `${login}@example.com`, username: login, user_name: login },
    added: [],
    removed: [],
    modified: ['README.md'],
  };
  const [namespace, path] = repo.split('/');
  const repository = {
    id: 42,
    name: path,
    path,
    full_name: repo,
    path_with_namespace: repo,
    namespace,
    html_url: web,
    url: web,
    private: false,
    default_branch: 'main',
    owner: user,
  };
  const timestamp = timestampBase + seq;
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
  const body = {
    ref: `refs/heads/${branch}`,
    before,
    after: id,
    created: false,
    deleted: false,
    compare: `${web}/compare/${before}...${id}`,
    commits: [commit],
    head_commit: commit,
    total_commits_count: 1,
    commits_more_than_ten: false,
    repository,
    project: repository,
    user_name: name,
    user,
    pusher: user,
    sender: user,
    hook_name: 'push_hooks',
    hook_id: 7001,
    timestamp: String(timestamp),
    sign,
  };
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'git-oschina-hook',
      'x-gitee-event': 'Push Hook',
      'x-gitee-token': sign,
      'x-gitee-timestamp': String(timestamp),
      'x-gitee-ping': 'false',
    },
    body: JSON.stringify(body),
  };
}

// --- hookmux --------------------------------------------------------------------------------
async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

async function freePort() {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startHookmux(dir, robotPort) {
  const port = await freePort();
  const storage =
    opts.storage === 'redis'
      ? `{ type: redis, url: "${opts['redis-url']}", prefix: "flood-${process.pid}" }`
      : '{ type: sqlite, path: ./flood.db }';
  const yaml = `server: { host: 127.0.0.1, port: ${port} }
storage: ${storage}
log: { level: warn }
sources:
  gitee: { secret: "${secret}" }
sinks:
  team: { type: wecom, webhook: "http://127.0.0.1:${robotPort}/cgi-bin/webhook/send?key=team", format: markdown, rateLimit: 20/min }
routes:
  - when: { source: gitee, event: push }
    to: [team]
`;
  const file = join(dir, 'hookmux.yaml');
  writeFileSync(file, yaml);
  const child = spawn(process.execPath, [hookmuxMain, 'serve', '-c', file], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hookmux exited:\n${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      await r.arrayBuffer();
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`hookmux did not listen:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, output: () => output };
}

async function flood(url) {
  let next = 0;
  let accepted = 0;
  let refused = 0;
  let lastAcceptedAt = 0;
  const worker = async () => {
    while (next < total) {
      const seq = next++;
      const { headers, body } = pushRequest(seq);
      try {
        const r = await fetch(`${url}/webhooks/gitee`, { method: 'POST', headers, body });
        await r.arrayBuffer();
        if (r.status === 200) {
          accepted++;
          lastAcceptedAt = Date.now();
        } else refused++;
      } catch {
        refused++;
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, worker));
  return { accepted, refused, lastAcceptedAt, seconds: (Date.now() - started) / 1000 };
}

// --- run ------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'hookmux-flood-'));
const robotPort = await listen(robotServer);
const hookmux = await startHookmux(dir, robotPort);
let exitCode = 0;
try {
  console.log(`flood: ${total} pushes, ${connections} connections, one 20/min robot (${opts.storage})`);
  const sent = await flood(hookmux.url);
  console.log(
    `accepted ${sent.accepted}/${total} in ${sent.seconds.toFixed(1)} s (${Math.round(sent.accepted / sent.seconds)} req/s), ${sent.refused} refused`,
  );
  const deadline = sent.lastAcceptedAt + giveUpMs;
  while (robot.allCarriedAt === undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const visibleAfterMs =
    robot.allCarriedAt === undefined ? undefined : robot.allCarriedAt - sent.lastAcceptedAt;
  const result = {
    events: total,
    accepted: sent.accepted,
    ingestSeconds: Number(sent.seconds.toFixed(1)),
    messages: robot.messages,
    carried: robot.carried,
    biggestDigest: robot.biggestDigest,
    answers45009: robot.tooFast,
    maxMessagesInAnyMinute: maxInAnyMinute(robot.admitted),
    allVisibleSecondsAfterLastAcceptance:
      visibleAfterMs === undefined ? null : Number((Math.max(0, visibleAfterMs) / 1000).toFixed(1)),
  };
  console.log(JSON.stringify(result, null, 2));
  const problems = [];
  if (visibleAfterMs === undefined)
    problems.push(`only ${robot.carried}/${total} events inside sent messages after ${giveUpMs / 1000} s`);
  else if (visibleAfterMs > 120_000)
    problems.push(
      `every event visible only ${visibleAfterMs / 1000} s after the last acceptance (target ≤ 120 s)`,
    );
  if (result.maxMessagesInAnyMinute > 20)
    problems.push(`${result.maxMessagesInAnyMinute} messages in one minute (limit 20)`);
  if (robot.tooFast > 0) problems.push(`${robot.tooFast} answers of 45009`);
  if (sent.accepted < total) problems.push(`${total - sent.accepted} pushes not accepted`);
  for (const p of problems) console.log(`FAIL ${p}`);
  if (problems.length === 0) console.log('PASS');
  exitCode = problems.length === 0 ? 0 : 1;
} finally {
  hookmux.child.kill('SIGTERM');
  await new Promise((r) => hookmux.child.once('exit', r));
  robotServer.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
