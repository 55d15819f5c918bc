import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { giteaSamples, signGiteaBody } from '@hookmux/source-gitea';
import { gitHubSamples, signGitHubBody } from '@hookmux/source-github';
import { gitLabSamples } from '@hookmux/source-gitlab';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

/**
 * One push on each of the four code hosts, signed as each host signs, through real HTTP into one
 * hookmux whose single route (`event: push, branch: main`) knows nothing of hosts, out to two
 * fake WeCom groups (markdown and text). A wrong secret on each host is a 401 in the host's terms.
 */
const secrets = {
  gitee: 'e2e-gitee-secret-not-shared',
  github: 'e2e-github-secret-not-shared',
  gitlab: 'e2e-gitlab-token-not-shared',
  gitea: 'e2e-gitea-secret-not-shared',
} as const;

interface HostPush {
  readonly host: keyof typeof secrets;
  readonly path: string;
  readonly body: string;
  readonly headers: (secret: string) => Record<string, string>;
  readonly repo: string;
  readonly commitTitle: string;
  /** What a 401 must say, in the host's own words. */
  readonly hintTerms: readonly string[];
}

const json = { 'content-type': 'application/json' };
const adminToken = 'e2e-admin-token-four-hosts';
const githubBody = JSON.stringify(gitHubSamples[0]!.payload);
const gitlabBody = JSON.stringify(gitLabSamples[0]!.payload);
const giteaBody = JSON.stringify(giteaSamples[0]!.payload);
const giteeBody = buildPushBody({
  repo: 'acme/widget',
  branch: 'main',
  pusher: 'zhangsan',
  pusherName: '张三',
  commits: [{ message: 'feat: 码云推送 🚀' }],
});

const pushes: readonly HostPush[] = [
  {
    host: 'gitee',
    path: '/webhooks/gitee',
    body: '',
    headers: () => ({}),
    repo: 'acme/widget',
    commitTitle: 'feat: 码云推送 🚀',
    hintTerms: ['Gitee', 'sources.gitee.secret'],
  },
  {
    host: 'github',
    path: '/webhooks/github',
    body: githubBody,
    headers: (secret) => ({
      ...json,
      'user-agent': 'GitHub-Hookshot/044aadd',
      'x-github-event': 'push',
      'x-github-delivery': 'e2e5a1c0-0000-11ef-8000-000000000001',
      'x-hub-signature-256': signGitHubBody(githubBody, secret),
    }),
    repo: 'acme-cn/widget',
    commitTitle: 'feat: 支持企业微信扫码登录',
    hintTerms: ['GitHub Webhook Secret', 'sources.github.secret'],
  },
  {
    host: 'gitlab',
    path: '/webhooks/gitlab',
    body: gitlabBody,
    headers: (secret) => ({
      ...json,
      'user-agent': 'GitLab/17.6.0',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': secret,
      'x-gitlab-event-uuid': 'e2e5a1c0-0000-4000-8000-000000000002',
    }),
    repo: 'fintech/payments/gateway',
    commitTitle: '修复签名校验的时区问题',
    hintTerms: ['GitLab Secret token', 'sources.gitlab.secret'],
  },
  {
    host: 'gitea',
    path: '/webhooks/gitea',
    body: giteaBody,
    headers: (secret) => ({
      ...json,
      'user-agent': 'Go-http-client/1.1',
      'x-gitea-event': 'push',
      'x-gitea-delivery': 'e2e5a1c0-0000-4000-8000-000000000003',
      'x-gitea-signature': signGiteaBody(giteaBody, secret),
    }),
    repo: 'platform/billing',
    commitTitle: '修复发票金额四舍五入',
    hintTerms: ['Gitea 密钥', 'sources.gitea.secret'],
  },
];

function requestOf(push: HostPush, secret: string): { body: string; headers: Record<string, string> } {
  if (push.host === 'gitee') {
    const signed = giteeRequest(giteeBody, secret, { mode: 'signature' });
    return { body: signed.body, headers: signed.headers };
  }
  return { body: push.body, headers: push.headers(secret) };
}

describe('a push on Gitee, GitHub, GitLab and Gitea → two WeCom groups, end to end', () => {
  const robot = new FakeWeComRobot({ keys: ['group-md', 'group-txt'] });
  let server: TestHookmux;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(`
storage: { type: sqlite, path: ./hookmux.db }
admin: { token: "${adminToken}" }
sources:
  gitee: { secret: "${secrets.gitee}" }
  github: { secret: "${secrets.github}" }
  gitlab: { secret: "${secrets.gitlab}" }
  gitea: { secret: "${secrets.gitea}" }
sinks:
  group-md: { type: wecom, webhook: "${robot.url('group-md')}", format: markdown }
  group-txt: { type: wecom, webhook: "${robot.url('group-txt')}", format: text }
people:
  - { gitee: zhangsan, github: zhangsan-dev, gitlab: zhangsan, gitea: zhangsan, wecom: ZhangSan }
routes:
  - name: main-pushes-everywhere
    when: { event: push, branch: main }
    to: [group-md, group-txt]
`);
  });
  afterAll(async () => {
    await server?.close();
    await robot.stop();
  });

  it.each(pushes.map((p) => [p.host, p] as const))(
    '%s: a wrong secret is a 401 in the host’s own terms',
    async (_host, push) => {
      const { body, headers } = requestOf(push, 'a-wrong-secret-for-this-host');
      const answer = await server.post(push.path, body, headers);
      expect(answer.status).toBe(401);
      const error = (answer.json as { error: { code: string; hint: string } }).error;
      expect(error.code).toBe('HM_ERR_SRC_SIGNATURE');
      for (const term of push.hintTerms) expect(error.hint).toContain(term);
      expect(JSON.stringify(answer.json)).not.toContain(secrets[push.host]);
    },
  );

  it('delivers each host’s push, signed as the host signs, to both groups', async () => {
    for (const push of pushes) {
      const { body, headers } = requestOf(push, secrets[push.host]);
      const answer = await server.post(push.path, body, headers);
      expect([push.host, answer.status]).toEqual([push.host, 200]);
      expect(answer.json).toMatchObject({ ok: true, event: `${push.host}.push.update`, deliveries: 2 });
    }
    await waitFor(
      () => robot.messagesFor('group-md').length >= 4 && robot.messagesFor('group-txt').length >= 4,
      15_000,
      'four messages in each group',
    );
    const markdown = robot
      .messagesFor('group-md')
      .map((m) => String((m.body['markdown'] as { content: string }).content));
    const text = robot
      .messagesFor('group-txt')
      .map((m) => String((m.body['text'] as { content: string }).content));
    expect(markdown).toHaveLength(4);
    expect(text).toHaveLength(4);
    for (const push of pushes) {
      // Each host's message reached each group once, naming the repository, the branch and the commit.
      for (const messages of [markdown, text]) {
        const mine = messages.filter((m) => m.includes(push.repo) && m.includes(push.commitTitle));
        expect([push.host, mine.length]).toEqual([push.host, 1]);
        expect(mine[0]).toContain('main');
        expect(mine[0]).toContain('推送到了');
      }
    }
    // The wrong-secret requests earlier delivered nothing.
    expect(robot.messagesFor('group-md').every((m) => m.msgtype === 'markdown')).toBe(true);
  });

  it('offers the admin playground a sample per host, each one rendering for real', async () => {
    const auth = { authorization: `Bearer ${adminToken}` };
    const listed = (await (await fetch(`${server.url}/api/samples`, { headers: auth })).json()) as {
      samples: { source: string; event: string; payload: unknown; label: string }[];
    };
    const hosts = new Set(listed.samples.map((s) => s.source));
    for (const host of ['github', 'gitlab', 'gitea']) expect(hosts).toContain(host);
    for (const sample of listed.samples.filter((s) => s.source !== 'gitee')) {
      const answer = await fetch(`${server.url}/api/render`, {
        method: 'POST',
        headers: { ...auth, ...json },
        body: JSON.stringify({ source: sample.source, event: sample.event, payload: sample.payload }),
      });
      expect([sample.label, answer.status]).toEqual([sample.label, 200]);
      const rendered = (await answer.json()) as { event: { name: string } };
      expect(rendered.event.name.startsWith(`${sample.source}.`)).toBe(true);
    }
  });
});
