import { describe, expect, it } from '@jest/globals';
import { HookmuxError, type HookEvent } from '@hookmux/core';

import {
  buildContext,
  buildGiteeRequest,
  ownFixtureSecret,
  parseJson,
  readOwnFixture,
  signedHeadersOf,
} from '../test/helpers/gitee-request.js';
import { GiteeSource } from './gitee-source.js';
import { MemoryReplayCache } from './memory-replay-cache.js';
import type {
  GiteeIssueData,
  GiteeNoteData,
  GiteePullRequestData,
  GiteePushData,
} from './normalize/gitee-hook-data.js';
import { signGiteeTimestamp } from './verify-gitee-token.js';

const newSource = () => new GiteeSource(new MemoryReplayCache());
const open = buildContext({ secret: 'none' });

/** Sends one of the plugin's own fixtures, signed as Gitee would, at its own time. */
async function receiveOwn(kind: string, scenario: string, source = newSource()): Promise<HookEvent> {
  const bytes = readOwnFixture(kind, scenario);
  const sentAt = Number(parseJson(bytes)['timestamp']);
  return source.receive(
    buildGiteeRequest(bytes, signedHeadersOf(bytes)),
    buildContext({ secret: ownFixtureSecret }, sentAt),
  );
}

/** Sends a body with no secret configured: for shape tests. */
function receiveOpen(
  body: unknown,
  headers: Record<string, string> = {},
  source = newSource(),
): Promise<HookEvent> {
  return Promise.resolve(
    source.receive(buildGiteeRequest(typeof body === 'string' ? body : JSON.stringify(body), headers), open),
  );
}

async function errorOf(work: () => Promise<unknown>): Promise<HookmuxError> {
  const error: unknown = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!HookmuxError.is(error)) throw new Error(`expected a HookmuxError, got ${String(error)}`);
  return error;
}

function withoutHookName(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'hook_name'));
}

const fixture = (kind: string, scenario: string) => parseJson(readOwnFixture(kind, scenario));

describe('GiteeSource with the plugin fixtures', () => {
  it('should turn a reopened pull request into gitee.merge_request.reopen on the target branch', async () => {
    const event = await receiveOwn('merge_request', 'reopen');
    const d = event.data as unknown as GiteePullRequestData;
    expect([event.name, event.branch, event.actor, event.repo]).toEqual([
      'gitee.merge_request.reopen',
      'main',
      'zhangsan',
      'acme-dev/hookmux-demo',
    ]);
    expect([d.pullRequest.sourceBranch, d.pullRequest.title]).toEqual([
      'feature/wecom-模板',
      'feat: 企业微信 markdown 模板 ✨',
    ]);
    expect(d.pullRequest.body).not.toContain('\r');
    expect(d.mentions).toEqual(['lisi', 'wangwu']);
  });

  it('should name the author as the one to tell when a pull request is approved', async () => {
    const event = await receiveOwn('merge_request', 'approved');
    const d = event.data as unknown as GiteePullRequestData;
    expect([event.name, event.actor]).toEqual(['gitee.merge_request.approved', 'lisi']);
    expect(d.mentions).toEqual(['zhangsan']);
    expect(event.summary).toBe(
      'lisi approved pull request !12 "feat: 企业微信 markdown 模板 ✨" in acme-dev/hookmux-demo',
    );
  });

  it('should read tested, and fold test into tested', async () => {
    expect((await receiveOwn('merge_request', 'tested')).name).toBe('gitee.merge_request.tested');
    const body = { ...fixture('merge_request', 'tested'), action: 'test' };
    expect((await receiveOpen(body)).name).toBe('gitee.merge_request.tested');
  });

  it('should list every assignee of an assigned pull request', async () => {
    const event = await receiveOwn('merge_request', 'assign');
    const d = event.data as unknown as GiteePullRequestData;
    expect(event.name).toBe('gitee.merge_request.assign');
    expect(d.pullRequest.assignees.map((p) => [p.login, p.name])).toEqual([
      ['lisi', '李四'],
      ['wangwu', '王五 🚀'],
    ]);
    expect(d.pullRequest.reviewers).toEqual(d.pullRequest.assignees);
    expect(event.summary).toContain('to lisi, wangwu');
  });

  it('should describe a comment on a commit', async () => {
    const event = await receiveOwn('note', 'commit-comment');
    const d = event.data as unknown as GiteeNoteData;
    expect(event.name).toBe('gitee.note.comment');
    expect(d.target).toMatchObject({ kind: 'commit', shortSha: 'e4d5c6b', label: 'e4d5c6b' });
    expect(d.target.url).toBe(
      'https://gitee.com/acme-dev/hookmux-demo/commit/e4d5c6b7a8990011223344556677889900aabbcc',
    );
    expect(d.comment.body).toBe('这里的 `timingSafeEqual` 要先比长度 👀\n否则会抛异常');
    expect(event.summary).toBe('lisi commented on commit e4d5c6b in acme-dev/hookmux-demo');
    expect(event.branch).toBeUndefined();
  });

  it('should describe an edited comment on an issue', async () => {
    const event = await receiveOwn('note', 'edited');
    const d = event.data as unknown as GiteeNoteData;
    expect(event.name).toBe('gitee.note.edited');
    expect([d.target.kind, d.target.label, d.issue?.title]).toEqual([
      'issue',
      '#I9ABCD',
      '测试按钮不触发 WeCom 消息 🐛',
    ]);
    expect(d.mentions).toEqual(['wangwu']);
    expect(event.url).toBe('https://gitee.com/acme-dev/hookmux-demo/issues/I9ABCD#note_28800002');
  });

  it('should describe a comment on the repository itself', async () => {
    const event = await receiveOwn('note', 'repository-comment');
    const d = event.data as unknown as GiteeNoteData;
    expect([d.target.kind, d.target.url]).toEqual(['repository', 'https://gitee.com/acme-dev/hookmux-demo']);
    expect(event.summary).toBe('wangwu commented on acme-dev/hookmux-demo');
  });

  it('should report a closed issue as a state change, with the previous state once it was seen', async () => {
    const source = newSource();
    const closed = fixture('issue', 'closed');
    const issue = closed['issue'] as Record<string, unknown>;
    const earlier = {
      ...closed,
      updated_at: 'earlier',
      issue: { ...issue, state: 'progressing', state_name: '进行中' },
    };
    await receiveOpen(earlier, {}, source);
    const event = await receiveOpen(closed, {}, source);
    const d = event.data as unknown as GiteeIssueData;
    expect(event.name).toBe('gitee.issue.state_change');
    expect([d.issue.state, d.issue.stateName, d.issue.previousState]).toEqual([
      'closed',
      '已完成',
      'progressing',
    ]);
    expect(d.issue.labels).toEqual(['bug', '优先级/高']);
    expect(event.summary).toBe(
      'lisi moved issue #I9ABCD "测试按钮不触发 WeCom 消息 🐛" to closed (已完成) in acme-dev/hookmux-demo',
    );

    const fresh = await receiveOwn('issue', 'closed');
    expect((fresh.data as unknown as GiteeIssueData).issue.previousState).toBeUndefined();
  });

  it('should not let a dry run (render, the playground) change the remembered issue state', async () => {
    const source = newSource();
    const closed = fixture('issue', 'closed');
    const issue = closed['issue'] as Record<string, unknown>;
    const dryRun = { ...closed, updated_at: 'earlier', issue: { ...issue, state: 'progressing' } };
    await source.receive(buildGiteeRequest(JSON.stringify(dryRun)), { ...open, skipVerification: true });
    const event = await receiveOpen(closed, {}, source);
    expect((event.data as unknown as GiteeIssueData).issue.previousState).toBeUndefined();
  });

  it('should list all 25 commits of a long push and count the ones Gitee left out', async () => {
    const event = await receiveOwn('push', 'twenty-five-commits');
    const d = event.data as unknown as GiteePushData;
    expect([event.name, event.branch]).toEqual(['gitee.push.update', 'release/2024-06']);
    expect([d.commits.length, d.commitCount, d.moreCommits]).toEqual([25, 25, 0]);
    expect(d.commits[0]).toMatchObject({
      title: 'feat: 支持 tag_push 事件 (1/25)',
      author: { login: 'zhangsan', name: '张三' },
    });
    expect(d.commits[0]?.shortId).toHaveLength(7);
    expect(event.summary).toBe('zhangsan pushed 25 commits to acme-dev/hookmux-demo:release/2024-06');

    const body = fixture('push', 'twenty-five-commits');
    const capped = { ...body, commits: (body['commits'] as unknown[]).slice(0, 10) };
    const d2 = (await receiveOpen(capped)).data as unknown as GiteePushData;
    expect([d2.commits.length, d2.commitCount, d2.moreCommits]).toEqual([10, 25, 15]);
  });
});

describe('GiteeSource hook kinds and headers', () => {
  const push = fixture('push', 'twenty-five-commits');

  it.each(['Push Hook', 'push_hooks', 'PUSH HOOK'])(
    'should fall back to X-Gitee-Event %s when hook_name is missing',
    async (header) => {
      const body = withoutHookName(push);
      expect((await receiveOpen(body, { 'x-gitee-event': header })).type).toBe('push');
    },
  );

  it('should prefer the body hook_name over the header', async () => {
    expect((await receiveOpen(push, { 'x-gitee-event': 'Issue Hook' })).type).toBe('push');
  });

  it('should refuse an unknown hook kind with a 400 that names it', async () => {
    const error = await errorOf(() =>
      receiveOpen({ ...push, hook_name: 'pipeline_hooks' }, { 'x-gitee-event': 'Pipeline Hook' }),
    );
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_UNKNOWN_HOOK', 400]);
    expect(error.message).toContain('pipeline_hooks');
    const noName = withoutHookName(push);
    const error2 = await errorOf(() => receiveOpen(noName, { 'x-gitee-event': 'Pipeline Hook' }));
    expect(error2.message).toContain('Pipeline Hook');
  });

  it('should mark test-button deliveries as pings', async () => {
    expect((await receiveOpen(push, { 'x-gitee-ping': 'true' })).ping).toBe(true);
    expect((await receiveOpen(push, { 'x-gitee-ping': 'false' })).ping).toBe(false);
  });
});

describe('GiteeSource authentication', () => {
  const bytes = readOwnFixture('note', 'edited');
  const sentAt = Number(parseJson(bytes)['timestamp']);

  it('should accept password mode and keep the password out of the event and the logs', async () => {
    const password = 'plain-hook-password-7781';
    const body = { ...parseJson(bytes), password, sign: '', timestamp: null };
    const context = buildContext({ secret: password }, sentAt);
    const event = await newSource().receive(buildGiteeRequest(body, { 'x-gitee-token': password }), context);
    expect((event.payload as Record<string, unknown>)['password']).toBe('***');
    expect(JSON.stringify(event)).not.toContain(password);
    expect(context.logger.text()).not.toContain(password);
  });

  it('should keep the secret out of the error when the token is wrong', async () => {
    const secret = 'the-real-signing-key';
    const error = await errorOf(async () =>
      newSource().receive(
        buildGiteeRequest(bytes, { 'x-gitee-token': 'wrong-token-value' }),
        buildContext({ secret }, sentAt),
      ),
    );
    expect(error.code).toBe('HM_ERR_SRC_SIGNATURE');
    expect(error.describe()).not.toContain(secret);
    expect(error.describe()).not.toContain('wrong-token-value');
    expect(error.hint).toContain('sources.gitee.secret');
  });

  it('should skip verification only for dry runs', async () => {
    const event = await newSource().receive(buildGiteeRequest(bytes), {
      ...buildContext({ secret: 'x-secret-x' }),
      skipVerification: true,
    });
    expect(event.name).toBe('gitee.note.edited');
  });

  it('should honour a configured timestamp window', async () => {
    const headers = signedHeadersOf(bytes);
    const context = buildContext({ secret: ownFixtureSecret, timestampWindow: '5m' }, sentAt + 6 * 60_000);
    const error = await errorOf(async () => newSource().receive(buildGiteeRequest(bytes, headers), context));
    expect(error.code).toBe('HM_ERR_SRC_STALE_TIMESTAMP');
  });
});

describe('GiteeSource event id', () => {
  it('should give the same id to the same delivery re-signed with a new timestamp', async () => {
    const body = fixture('merge_request', 'approved');
    const later = String(Number(body['timestamp']) + 90_000);
    const resigned = { ...body, timestamp: later, sign: signGiteeTimestamp(later, ownFixtureSecret) };
    const first = await receiveOpen(body);
    expect((await receiveOpen(resigned)).id).toBe(first.id);
    // Password mode: the same delivery with the password instead of a signature.
    expect((await receiveOpen({ ...body, password: 'pw', sign: '' })).id).toBe(first.id);
    expect((await receiveOpen({ ...body, action: 'tested' })).id).not.toBe(first.id);
    expect(first.id.startsWith('gitee:2233445:')).toBe(true);
  });
});

describe('GiteeSource bad input', () => {
  const push = fixture('push', 'twenty-five-commits');
  const issue = fixture('issue', 'closed');
  const pr = fixture('merge_request', 'assign');

  it('should answer truncated or empty JSON with HM_ERR_HTTP_BAD_JSON', async () => {
    const text = readOwnFixture('push', 'twenty-five-commits').toString('utf8');
    for (const body of [text.slice(0, text.length / 2), '', '{"hook_name":']) {
      const error = await errorOf(() => receiveOpen(body));
      expect([error.code, error.status]).toEqual(['HM_ERR_HTTP_BAD_JSON', 400]);
    }
  });

  it('should name the missing field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...push, repository: undefined, project: undefined }, 'repository'],
      [{ ...push, repository: { name: 'x' }, project: null }, 'repository.path_with_namespace'],
      [{ ...push, ref: null }, 'ref'],
      [{ ...issue, issue: null }, 'issue'],
      [{ ...pr, pull_request: null }, 'pull_request'],
      [{ ...pr, action: undefined }, 'action'],
    ];
    for (const [body, field] of cases) {
      const error = await errorOf(() => receiveOpen(body));
      expect([error.code, error.status, error.at]).toEqual(['HM_ERR_SRC_MALFORMED', 400, field]);
      expect(error.message).toContain(field);
    }
  });

  it('should refuse bodies that are not objects, or absurdly nested', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const nested = JSON.stringify({ ...push, extra: 'DEEP' }).replace('"DEEP"', deep);
    for (const body of ['[]', '42', '"text"', 'null', nested]) {
      const error = await errorOf(() => receiveOpen(body));
      expect(error.code).toBe('HM_ERR_SRC_MALFORMED');
    }
  });

  it('should normalise nulls where objects are expected', async () => {
    const event = await receiveOpen({
      ...push,
      commits: null,
      head_commit: null,
      total_commits_count: null,
      sender: null,
    });
    const d = event.data as unknown as GiteePushData;
    expect([d.commits, d.commitCount, d.headCommit, event.actor]).toEqual([[], 0, undefined, 'zhangsan']);

    const issueRecord = issue['issue'] as Record<string, unknown>;
    const bareIssue = {
      ...issue,
      assignee: null,
      milestone: null,
      issue: { ...issueRecord, assignee: null, milestone: null, labels: null },
    };
    const di = (await receiveOpen(bareIssue)).data as unknown as GiteeIssueData;
    expect([di.issue.assignee, di.issue.milestone, di.issue.labels]).toEqual([undefined, undefined, []]);

    const prRecord = pr['pull_request'] as Record<string, unknown>;
    const barePr = {
      ...pr,
      pull_request: {
        ...prRecord,
        assignee: null,
        assignees: null,
        testers: null,
        labels: null,
        head: null,
        milestone: null,
      },
    };
    const dp = (await receiveOpen(barePr)).data as unknown as GiteePullRequestData;
    expect([dp.pullRequest.assignees, dp.pullRequest.labels, dp.pullRequest.sourceBranch]).toEqual([
      [],
      [],
      'feature/wecom-模板',
    ]);
  });

  it('should cap huge commit messages for templates and keep the summary on one line', async () => {
    const commits = push['commits'] as Record<string, unknown>[];
    const huge = `${'很长的标题😀'.repeat(100)}\n${'x'.repeat(1_000_000)}`;
    const event = await receiveOpen({ ...push, commits: [{ ...commits[0], message: huge }] });
    const commit = (event.data as unknown as GiteePushData).commits[0];
    expect(commit?.message.length).toBeLessThanOrEqual(4000);
    expect(commit?.title.length).toBeLessThanOrEqual(200);
    expect(commit?.title.endsWith('…')).toBe(true);
    expect(commit?.title).not.toMatch(/[\uD800-\uDBFF]…$/);
  });

  it('should answer every field nulled or mistyped, one at a time, with an event or a 4xx HookmuxError', async () => {
    const bodies = [push, issue, pr, fixture('note', 'commit-comment'), fixture('note', 'edited')];
    const context = buildContext({ secret: 'none' });
    let events = 0;
    let refusals = 0;
    for (const body of bodies) {
      for (const key of Object.keys(body)) {
        for (const value of [null, 'text', 7, [], {}]) {
          try {
            await newSource().receive(buildGiteeRequest({ ...body, [key]: value }), context);
            events++;
          } catch (error) {
            if (!HookmuxError.is(error))
              throw new Error(`${key}=${JSON.stringify(value)} threw ${String(error)}`);
            expect(error.status).toBeGreaterThanOrEqual(400);
            expect(error.status).toBeLessThan(500);
            refusals++;
          }
        }
      }
    }
    expect(events).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
    // Every refusal came from a reader that expected it, not from the catch-all.
    expect(context.logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('GiteeSource settings', () => {
  it('should mount the configured path, /webhooks/gitee by default', () => {
    const source = newSource();
    expect(source.endpoints({ secret: 'x' })).toEqual([{ method: 'POST', path: '/webhooks/gitee' }]);
    expect(source.endpoints({ secret: 'x', path: '/hooks/g' })).toEqual([
      { method: 'POST', path: '/hooks/g' },
    ]);
  });

  it('should warn at start-up when hooks are accepted without a secret', () => {
    const source = newSource();
    expect(source.checkSettings({ secret: 'none' }).join()).toContain('without a password or signature');
    expect(source.checkSettings({ secret: 'a-long-random-signing-key-123' })).toEqual([]);
    expect(source.secretKeys).toEqual(['secret']);
  });
});
