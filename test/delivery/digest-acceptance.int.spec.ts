import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { waitFor } from '../helpers/start-test-hookmux.js';
import { pushesCarried } from '../digest/helpers/read-digest.js';
import { contentOf, freePort, secret, spawnServe, type ServeProcess, writeConfig } from './serve-process.js';

/**
 * Issue 12's acceptance: 200 distinct signed pushes to one WeCom robot limited to 20/min. Every
 * push is inside some message the robot accepted: its short sha is printed, or (past the line
 * budget) its branch is counted in a digest whose counts add up to 200. No 45009, and a user's
 * `_digest.md.hbs` changes the text.
 */
const branches = ['main', 'feature/退款-v2', 'fix/登录跳转', 'release/v2.3'] as const;
const timestampBase = Date.now() - 20 * 60_000;

function commitId(seq: number): string {
  return createHash('sha1').update(`digest-acceptance/${seq}`).digest('hex');
}

/** Push `seq`: one commit whose id (and so short sha) no other push has, on one of four branches. */
function pushBody(seq: number): Record<string, unknown> {
  const body = buildPushBody({
    seq,
    repo: 'lanting-lab/payment-gateway',
    branch: branches[seq % branches.length] ?? 'main',
    pusher: seq % 2 === 0 ? 'lina-dev' : 'wangwei',
    pusherName: seq % 2 === 0 ? '李娜' : '王伟',
    hookId: 9100,
    commits: [{ message: `fix: 退款回调第 ${seq} 次修正` }],
  });
  const id = commitId(seq);
  const commits = (body['commits'] as Record<string, unknown>[]).map((c) => ({
    ...c,
    id,
    url: `https://gitee.com/lanting-lab/payment-gateway/commit/${id}`,
  }));
  return { ...body, after: id, commits, head_commit: commits[0] };
}

async function postPush(url: string, seq: number): Promise<number> {
  const request = giteeRequest(pushBody(seq), secret, { timestamp: timestampBase + seq });
  const response = await fetch(`${url}/webhooks/gitee`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  await response.arrayBuffer();
  return response.status;
}

function configFor(robotUrl: string, extra = ''): string {
  return `
server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: { type: sqlite, path: ./data/hookmux.db }
log: { level: warn }
${extra}
sources:
  gitee: { secret: "${secret}" }
sinks:
  team: { type: wecom, format: markdown, webhook: "${robotUrl}", rateLimit: 20/min }
routes:
  - when: { source: gitee, event: push }
    to: [team]
`;
}

describe('digests at 20/min, through hookmux serve', () => {
  let robot: FakeWeComRobot;
  let server: ServeProcess | undefined;

  beforeEach(async () => {
    robot = new FakeWeComRobot({ keys: ['team'], rateLimit: { count: 20, windowMs: 60_000 } });
    await robot.start();
  });
  afterEach(async () => {
    await server?.kill();
    server = undefined;
    await robot.stop();
  });

  const contents = (): string[] => robot.messagesFor('team').map((m) => contentOf(m.body));

  it('200 distinct pushes: every short sha arrives or its branch is counted, counts add up to 200, never 45009', async () => {
    const { file } = writeConfig(configFor(robot.url('team')));
    server = await spawnServe(file, await freePort());
    const pushes = Array.from({ length: 200 }, (_, i) => i);
    for (const seq of pushes) expect(await postPush(server.url, seq)).toBe(200);

    await waitFor(
      () => contents().reduce((n, c) => n + pushesCarried(c), 0) >= pushes.length,
      150_000,
      'every push inside some message',
    );
    const texts = contents();
    expect(texts.reduce((n, c) => n + pushesCarried(c), 0)).toBe(pushes.length);
    for (const seq of pushes) {
      const shortSha = commitId(seq).slice(0, 7);
      const branch = branches[seq % branches.length] ?? '';
      const carrier =
        texts.find((t) => t.includes(shortSha)) ??
        texts.find((t) => /共 \d+ 条/.test(t) && t.includes(branch));
      expect([seq, carrier !== undefined]).toEqual([seq, true]);
    }
    // The digests read as the built-in Chinese template, not as a list of summaries.
    const digests = texts.filter((t) => /共 \d+ 条/.test(t));
    expect(digests.length).toBeGreaterThan(0);
    expect(
      digests.some((t) => /向 \[payment-gateway\]\([^)]+\) 的 .+ 推送了 \d+ 次，共 \d+ 个提交/.test(t)),
    ).toBe(true);
    expect(texts.join('\n')).not.toMatch(/^- /m);
    expect(robot.answers.filter((a) => a.errcode === 45009)).toEqual([]);
    // Within the robot's limit: at most 20 messages in any 60 s.
    const times = robot.messagesFor('team').map((m) => m.at);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u - t < 60_000).length));
    expect(busiest).toBeLessThanOrEqual(20);
  }, 200_000);

  it("a user's _digest.md.hbs in templates.dir changes the digest's text", async () => {
    const { file, dir } = writeConfig(configFor(robot.url('team'), 'templates: { dir: ./my-templates }'));
    mkdirSync(join(dir, 'my-templates'), { recursive: true });
    writeFileSync(
      join(dir, 'my-templates', '_digest.md.hbs'),
      '**我们的汇总** 共 {{digest.count}} 条\n{{#each groups}}\n{{refName}}：推送了 {{count}} 次，共 {{commitCount}} 个提交\n{{/each}}\n',
    );
    server = await spawnServe(file, await freePort());
    const pushes = Array.from({ length: 60 }, (_, i) => 1000 + i);
    for (const seq of pushes) expect(await postPush(server.url, seq)).toBe(200);
    await waitFor(
      () => contents().reduce((n, c) => n + pushesCarried(c), 0) >= pushes.length,
      150_000,
      'every push inside some message',
    );
    expect(contents().some((t) => t.startsWith('**我们的汇总** 共 '))).toBe(true);
    expect(robot.answers.filter((a) => a.errcode === 45009)).toEqual([]);
  }, 200_000);
});
