import { describe, expect, it } from '@jest/globals';
import type {
  HookEvent,
  HostIssueData,
  HostPipelineData,
  HostPullRequestData,
  HostPushData,
} from '@hookmux/core';

import { checkRendered, errorOf } from '../../../test/helpers/host-conformance.js';
import {
  buildHostRenderer,
  buildHostRequest,
  receiveAs,
  routeNames,
} from '../../../test/helpers/render-host-event.js';
import {
  hasSharedFixtures,
  listSharedFixtures,
  noteSkipped,
  readSharedFixture,
} from '../../../test/helpers/shared-fixtures.js';
import { compileRoute, matchRoutes } from '../../../core/src/routing/compile-routes.js';
import type { RouteConfig } from '../../../core/src/config/hookmux-config.js';
import { gitLabEventNames } from './gitlab-event-names.js';
import { gitLabSamples } from './gitlab-samples.js';
import { GitLabSource } from './gitlab-source.js';

const secret = 'gitlab-conformance-token-5b2f';
const source = new GitLabSource();
const renderer = buildHostRenderer('source-gitlab');

/** As GitLab sends it: the hook's header name, the Secret token as is, an event UUID. */
function gitLabRequest(
  body: Buffer,
  event: string,
  token = secret,
  uuid = '9d0cea47-6545-49cb-b93c-f314e08972f9',
) {
  return buildHostRequest('/webhooks/gitlab', body, {
    'user-agent': 'GitLab/17.6.0',
    'x-gitlab-event': event,
    'x-gitlab-token': token,
    'x-gitlab-event-uuid': uuid,
    'x-gitlab-instance': 'https://gitlab.com',
  });
}

interface Expected {
  readonly event: string;
  readonly name: string;
  readonly repo: string;
  readonly actor: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly check?: (e: HookEvent) => void;
}

const shared: Readonly<Record<string, Expected>> = {
  'issue_hook.close-3-mattermost.json': {
    event: 'Issue Hook',
    name: 'gitlab.issue.close',
    repo: 'manland/webhook',
    actor: 'manland',
  },
  'issue_hook.open-1-w2fm.json': {
    event: 'Issue Hook',
    name: 'gitlab.issue.open',
    repo: 'sdglitched/w2fm-test',
    actor: 'sdglitched',
    check: (e) => expect((e.data as unknown as HostIssueData).confidential).toBe(false),
  },
  'issue_hook.open-2-mattermost.json': {
    event: 'Issue Hook',
    name: 'gitlab.issue.open',
    repo: 'manland/webhook',
    actor: 'root',
    // 2019 shape: the assignee is named in `assignees`, and is asked to act.
    check: (e) => expect(e.data['mentions']).toEqual(['manland']),
  },
  'merge_request_hook.approved-4-w2fm.json': {
    event: 'Merge Request Hook',
    name: 'gitlab.merge_request.approved',
    repo: 'sdglitched/w2fm-test',
    actor: 'sdglitched',
    branch: 'main',
    check: (e) => expect((e.data as unknown as HostPullRequestData).pullRequest.label).toBe('!1'),
  },
  'merge_request_hook.merge-2-woodpecker.json': {
    event: 'Merge Request Hook',
    name: 'gitlab.merge_request.merge',
    repo: 'anbraten/woodpecker-test',
    actor: 'anbraten',
    branch: 'main',
  },
  'merge_request_hook.merge-3-mattermost.json': {
    event: 'Merge Request Hook',
    name: 'gitlab.merge_request.merge',
    repo: 'manland/webhook',
    actor: 'manland',
    branch: 'master',
    check: (e) =>
      expect((e.data as unknown as HostPullRequestData).pullRequest.sourceRepo).toBe('root/webhook'),
  },
  'merge_request_hook.open-1-woodpecker.json': {
    event: 'Merge Request Hook',
    name: 'gitlab.merge_request.open',
    repo: 'demoaccount2-commits-group/test_ci_tmp',
    actor: 'real6543',
    branch: 'main',
  },
  'note_hook.issue-1-w2fm.json': {
    event: 'Note Hook',
    name: 'gitlab.note.comment',
    repo: 'sdglitched/w2fm-test',
    actor: 'sdglitched',
  },
  'note_hook.mr-2-mattermost.json': {
    event: 'Note Hook',
    name: 'gitlab.note.comment',
    repo: 'manland/webhook',
    actor: 'manland',
    branch: 'master',
  },
  'pipeline_hook.failed-1-mattermost.json': {
    event: 'Pipeline Hook',
    name: 'gitlab.pipeline.failed',
    repo: 'manland/webhook',
    actor: 'root',
    branch: 'master',
    check: (e) => {
      const d = e.data as unknown as HostPipelineData;
      expect([d.pipeline.durationSec, d.pipeline.durationText, d.pipeline.trigger]).toEqual([
        14,
        '14 秒',
        'merge_request_event',
      ]);
      expect(d.pipeline.failedJobs).toEqual([
        { name: 'pages', stage: 'deploy', url: expect.stringMatching(/\/-\/jobs\/\d+$/) },
      ]);
      expect(d.mentions).toEqual(['root']);
    },
  },
  'push_hook-1-w2fm.json': {
    event: 'Push Hook',
    name: 'gitlab.push.create',
    repo: 'sdglitched/w2fm-test',
    actor: 'sdglitched',
    branch: 'test-branch',
  },
  'push_hook-2-woodpecker.json': {
    event: 'Push Hook',
    name: 'gitlab.push.update',
    repo: 'test/woodpecker',
    actor: 'test',
    branch: 'main',
  },
  'push_hook-3-mattermost.json': {
    event: 'Push Hook',
    name: 'gitlab.push.update',
    repo: 'manland/webhook',
    actor: 'manland',
    branch: 'master',
    check: (e) => {
      const d = e.data as unknown as HostPushData;
      expect(d.commits.map((c) => c.title)).toEqual(['really cool commit', 'another cool commit']);
      expect([d.commitCount, d.moreCommits]).toEqual([2, 0]);
    },
  },
  'tag_push_hook-1-woodpecker.json': {
    event: 'Tag Push Hook',
    name: 'gitlab.tag_push.create',
    repo: 'test/woodpecker',
    actor: 'test',
    tag: 'v22',
  },
  'tag_push_hook-2-mattermost.json': {
    event: 'Tag Push Hook',
    name: 'gitlab.tag_push.create',
    repo: 'manland/webhook',
    actor: 'manland',
    tag: 'tag1',
  },
};

if (!hasSharedFixtures()) noteSkipped('source-gitlab conformance');

(hasSharedFixtures() ? describe : describe.skip)('GitLab conformance over ../shared/fixtures/gitlab', () => {
  it('has an explicit expectation for every recorded delivery', () => {
    expect(listSharedFixtures('gitlab')).toEqual(Object.keys(shared).sort());
  });

  it.each(Object.entries(shared))('%s → verified, normalised, routed, rendered', async (file, x) => {
    const event = await receiveAs(source, gitLabRequest(readSharedFixture('gitlab', file), x.event), {
      secret,
    });
    expect(event.name).toBe(x.name);
    expect(gitLabEventNames).toContain(event.name);
    expect([event.repo, event.actor, event.branch, event.tag]).toEqual([x.repo, x.actor, x.branch, x.tag]);
    expect(event.id).toBe('gitlab:9d0cea47-6545-49cb-b93c-f314e08972f9');
    expect(JSON.stringify(event.data)).not.toContain('null');
    expect(routeNames(event)).toEqual(expect.arrayContaining(['host', 'by-name', 'by-type']));
    x.check?.(event);
    expect({ event: event.name, ...checkRendered(renderer, event) }).toMatchSnapshot();
  });

  it.each(Object.entries(shared))(
    '%s with another token → 401 that names the GitLab Secret token',
    async (file, x) => {
      const request = gitLabRequest(readSharedFixture('gitlab', file), x.event, 'not-the-token');
      const error = await errorOf(receiveAs(source, request, { secret }));
      expect([error.code, error.status]).toEqual(['HM_ERR_SRC_SIGNATURE', 401]);
      expect(error.hint).toContain('GitLab Secret token');
    },
  );
});

describe('GitLab events the shared set lacks, confidential events and de-duplication', () => {
  it.each(gitLabSamples.map((s) => [s.label, s] as const))('%s', async (_label, sample) => {
    const body = Buffer.from(JSON.stringify(sample.payload));
    const event = await receiveAs(source, gitLabRequest(body, sample.event), { secret });
    expect(gitLabEventNames).toContain(event.name);
    expect({
      event: event.name,
      mentions: event.data['mentions'],
      ...checkRendered(renderer, event),
    }).toMatchSnapshot();
  });

  it('lists a push oldest commit first, as GitLab sends it newest first', async () => {
    const event = await receiveAs(
      source,
      gitLabRequest(Buffer.from(JSON.stringify(gitLabSamples[0]!.payload)), 'Push Hook'),
      { secret },
    );
    const d = event.data as unknown as HostPushData;
    expect(d.commits.map((c) => c.title)).toEqual(['修复签名校验的时区问题', '退款接口增加幂等键']);
    expect(d.headCommit?.title).toBe('退款接口增加幂等键');
  });

  const confidential = gitLabSamples[3]!;
  it('marks a confidential issue, gives it its own type, and a plain `event: issue` route does not take it', async () => {
    const event = await receiveAs(
      source,
      gitLabRequest(Buffer.from(JSON.stringify(confidential.payload)), confidential.event),
      { secret },
    );
    expect(event.name).toBe('gitlab.confidential_issue.open');
    expect((event.data as unknown as HostIssueData).confidential).toBe(true);
    const routes = (
      [
        { name: 'public-group', when: { source: 'gitlab', event: 'issue' }, to: ['public'] },
        {
          name: 'security-group',
          when: { source: 'gitlab', event: ['issue', 'confidential_issue'] },
          to: ['security'],
        },
        {
          name: 'everything-but-confidential',
          when: { event: ['!confidential_issue', '!confidential_note'] },
          to: ['all'],
        },
      ] as unknown as RouteConfig[]
    ).map(compileRoute);
    expect(matchRoutes(event, routes).map((m) => m.sink)).toEqual(['security']);
    expect(checkRendered(renderer, event).md).toContain('🔒 机密');
  });

  it('treats a body without event_type as confidential when the header says so (older GitLab)', async () => {
    const older: Record<string, unknown> = { ...confidential.payload };
    delete older['event_type'];
    const attributes = {
      ...(older['object_attributes'] as Record<string, unknown>),
      confidential: undefined,
    };
    const body = Buffer.from(JSON.stringify({ ...older, object_attributes: attributes }));
    const event = await receiveAs(source, gitLabRequest(body, 'Confidential Issue Hook'), { secret });
    expect(event.type).toBe('confidential_issue');
  });

  it('takes Idempotency-Key (kept across GitLab retries) over X-Gitlab-Event-UUID as the event id', async () => {
    const body = Buffer.from(JSON.stringify(gitLabSamples[0]!.payload));
    const request = gitLabRequest(body, 'Push Hook');
    const retried = {
      ...request,
      headers: { ...request.headers, 'idempotency-key': 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b' },
    };
    expect((await receiveAs(source, retried, { secret })).id).toBe(
      'gitlab:f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
    );
  });

  it('refuses a request without X-Gitlab-Token when a secret is set', async () => {
    const body = Buffer.from(JSON.stringify(gitLabSamples[0]!.payload));
    const error = await errorOf(
      receiveAs(source, buildHostRequest('/webhooks/gitlab', body, { 'x-gitlab-event': 'Push Hook' }), {
        secret,
      }),
    );
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_NO_TOKEN', 401]);
    expect(error.hint).toContain('GitLab Secret token');
  });

  it('answers a hook it does not handle with a 400 that names the ones it does', async () => {
    const body = Buffer.from('{"object_kind":"wiki_page","project":{"path_with_namespace":"a/b"}}');
    const error = await errorOf(receiveAs(source, gitLabRequest(body, 'Wiki Page Hook'), { secret }));
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_UNKNOWN_HOOK', 400]);
    expect(error.hint).toContain('Pipeline');
  });
});

/**
 * Job, Release and commit-note hooks: no third-party recording of them was found (SOURCES.md), so
 * these bodies are written here after GitLab's documented shapes, with made-up people. The job
 * body is the old (2017–2019) shape: no `project` object, only `repository.homepage`.
 */
describe('GitLab Job, Release and commit-note hooks (documented shapes, made-up values)', () => {
  const homepage = 'https://gitlab.acme.example/fintech/payments/gateway';
  const oldJob = {
    object_kind: 'build',
    ref: 'main',
    tag: false,
    before_sha: '1111111111111111111111111111111111111111',
    sha: '3333333333333333333333333333333333333333',
    build_id: 55001,
    build_name: 'unit-test',
    build_stage: 'test',
    build_status: 'failed',
    build_started_at: '2019-03-01 02:06:10 UTC',
    build_finished_at: '2019-03-01 02:08:11 UTC',
    build_duration: 121.2,
    build_allow_failure: false,
    project_id: 4201,
    project_name: 'fintech / payments / 支付网关',
    user: { id: 31, name: '张三', email: 'zhangsan@acme.example' },
    commit: {
      id: 7788,
      sha: '3333333333333333333333333333333333333333',
      message: '退款接口增加幂等键',
      author_name: '张三',
      author_email: 'zhangsan@acme.example',
      status: 'failed',
      duration: 245,
    },
    repository: {
      name: '支付网关',
      url: 'git@gitlab.acme.example:fintech/payments/gateway.git',
      homepage,
      visibility_level: 0,
    },
  };

  it('reads a 2019 Job Hook that has only repository.homepage', async () => {
    const event = await receiveAs(source, gitLabRequest(Buffer.from(JSON.stringify(oldJob)), 'Job Hook'), {
      secret,
    });
    expect([event.name, event.repo, event.branch]).toEqual([
      'gitlab.job.failed',
      'fintech/payments/gateway',
      'main',
    ]);
    const d = event.data as unknown as HostPipelineData;
    expect([d.pipeline.name, d.pipeline.stage, d.pipeline.durationSec, d.pipeline.url]).toEqual([
      'unit-test',
      'test',
      121,
      `${homepage}/-/jobs/55001`,
    ]);
    expect({ event: event.name, ...checkRendered(renderer, event) }).toMatchSnapshot();
  });

  it('reads a Release Hook (no user in it: the message starts with the action)', async () => {
    const release = {
      object_kind: 'release',
      id: 1201,
      created_at: '2024-06-01 08:00:00 UTC',
      description: '## 变更\n- 退款接口增加幂等键\n- 修复签名校验的时区问题',
      name: 'v2.4.0 六月版',
      released_at: '2024-06-01 08:00:00 UTC',
      tag: 'v2.4.0',
      action: 'create',
      url: `${homepage}/-/releases/v2.4.0`,
      project: {
        id: 4201,
        name: '支付网关',
        web_url: homepage,
        path_with_namespace: 'fintech/payments/gateway',
        visibility_level: 0,
      },
      commit: {
        id: '3333333333333333333333333333333333333333',
        message: '退款接口增加幂等键',
        title: '退款接口增加幂等键',
      },
      assets: { count: 0, links: [], sources: [] },
    };
    const event = await receiveAs(
      source,
      gitLabRequest(Buffer.from(JSON.stringify(release)), 'Release Hook'),
      { secret },
    );
    expect([event.name, event.tag, event.actor]).toEqual(['gitlab.release.create', 'v2.4.0', undefined]);
    const { md } = checkRendered(renderer, event);
    expect(md).toMatch(/^创建了 /);
    expect(md).toContain('退款接口增加幂等键');
  });

  it('reads a note on a commit', async () => {
    const note = {
      object_kind: 'note',
      event_type: 'note',
      user: { id: 32, name: '李四', username: 'lisi', email: '[REDACTED]' },
      project: {
        id: 4201,
        name: '支付网关',
        web_url: homepage,
        path_with_namespace: 'fintech/payments/gateway',
        visibility_level: 0,
      },
      object_attributes: {
        id: 777,
        note: '这里的超时为什么是 30 秒？',
        noteable_type: 'Commit',
        commit_id: '3333333333333333333333333333333333333333',
        url: `${homepage}/-/commit/3333333333333333333333333333333333333333#note_777`,
      },
      commit: {
        id: '3333333333333333333333333333333333333333',
        message: '退款接口增加幂等键\n',
        title: '退款接口增加幂等键',
        url: `${homepage}/-/commit/3333333333333333333333333333333333333333`,
        author: { name: '张三', email: 'zhangsan@acme.example' },
      },
    };
    const event = await receiveAs(source, gitLabRequest(Buffer.from(JSON.stringify(note)), 'Note Hook'), {
      secret,
    });
    expect(event.name).toBe('gitlab.note.comment');
    expect(event.data['target']).toMatchObject({ kind: 'commit', label: '3333333' });
    expect(checkRendered(renderer, event).md).toContain('这里的超时为什么是 30 秒？');
  });
});
