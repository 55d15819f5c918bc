import { createRequire } from 'node:module';

import { describe, expect, it } from '@jest/globals';
import type {
  HookEvent,
  HostNoteData,
  HostPipelineData,
  HostPullRequestData,
  HostPushData,
} from '@hookmux/core';

import { checkRendered as checkMessages, errorOf } from '../../../test/helpers/host-conformance.js';
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
import { gitHubEventNames } from './github-event-names.js';
import { gitHubSamples } from './github-samples.js';
import { GitHubSource } from './github-source.js';
import { signGitHubBody } from './verify-github-signature.js';

const secret = 'github-conformance-secret-7c1d';
const source = new GitHubSource();
const renderer = buildHostRenderer('source-github');

/** A request as GitHub sends it: the event header, a delivery GUID, the body signed with the secret. */
function gitHubRequest(body: Buffer, event: string, delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958') {
  return buildHostRequest('/webhooks/github', body, {
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': signGitHubBody(body, secret),
  });
}

const checkRendered = (event: HookEvent) => Promise.resolve(checkMessages(renderer, event));

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
  'push-1-woodpecker.json': {
    event: 'push',
    name: 'github.push.update',
    repo: 'woodpecker-ci/woodpecker',
    actor: '6543',
    branch: 'main',
    check: (e) => {
      const d = e.data as unknown as HostPushData;
      expect(d.commits.map((c) => c.title)).toEqual(['Fix multiline secrets replacer (#700)']);
      expect(d.commits[0]?.message).not.toContain('\r');
      expect(e.url).toBe(d.compareUrl);
    },
  },
  'push-2-w2fm.json': {
    event: 'push',
    name: 'github.push.update',
    repo: 'gridhead/test-repo',
    actor: 'gridhead',
    branch: 'flsk',
  },
  'push.tag-1-octocrab.json': {
    event: 'push',
    name: 'github.push.create',
    repo: 'gagbo/app-test-repo',
    actor: 'gagbo',
    tag: 'v0.2.1',
    check: (e) => {
      const d = e.data as unknown as HostPushData;
      expect([d.kind, d.commits.length, d.headCommit?.title]).toEqual([
        'tag_push',
        0,
        'Merge pull request #2 from gagbo/add_slow_route\n\nAdd a slow route'.split('\n')[0],
      ]);
    },
  },
  'push.tag-2-go-scm.json': {
    event: 'push',
    name: 'github.push.create',
    repo: 'bradrydzewski/drone-test-go',
    actor: 'bradrydzewski',
    tag: 'v0.0.1',
  },
  'pull_request.opened-1-octocrab.json': {
    event: 'pull_request',
    name: 'github.pull_request.open',
    repo: 'gagbo/ouro-closures',
    actor: 'gagbo',
    branch: 'trunk',
    check: (e) => {
      const d = e.data as unknown as HostPullRequestData;
      expect([d.pullRequest.number, d.pullRequest.sourceBranch, d.pullRequest.label]).toEqual([
        2,
        'test_pr',
        '#2',
      ]);
    },
  },
  'pull_request.opened-2-w2fm.json': {
    event: 'pull_request',
    name: 'github.pull_request.open',
    repo: 'gridhead/test-repo',
    actor: 'gridhead',
    branch: 'main',
  },
  'pull_request.opened-3-go-scm.json': {
    event: 'pull_request',
    name: 'github.pull_request.open',
    repo: 'bradrydzewski/drone-test-go',
    actor: 'bradrydzewski',
    // This recorded PR really goes from master into bradrydzewski-patch-1.
    branch: 'bradrydzewski-patch-1',
  },
  'pull_request.merged-1-woodpecker.json': {
    event: 'pull_request',
    name: 'github.pull_request.merge',
    repo: 'anbraten/test-ready-release-go',
    actor: 'anbraten',
    branch: 'main',
    check: (e) => {
      const d = e.data as unknown as HostPullRequestData;
      expect([d.pullRequest.merged, d.pullRequest.state, d.hostAction]).toEqual([true, 'merged', 'closed']);
    },
  },
  'issues.opened-1-w2fm.json': {
    event: 'issues',
    name: 'github.issues.open',
    repo: 'gridhead/test-repo',
    actor: 'gridhead',
  },
  'issues.opened-2-octocrab.json': {
    event: 'issues',
    name: 'github.issues.open',
    repo: 'gagbo/circadian.nvim',
    actor: 'gagbo',
  },
  'issues.closed-1-zulip.json': {
    event: 'issues',
    name: 'github.issues.close',
    repo: 'Pritesh-30/test-repo',
    actor: 'Pritesh-30',
  },
  'issue_comment-1-octocrab.json': {
    event: 'issue_comment',
    name: 'github.issue_comment.comment',
    repo: 'gagbo/ouro-closures',
    actor: 'gagbo-test-app[bot]',
    check: (e) => {
      const d = e.data as unknown as HostNoteData;
      expect(d.comment.body.length).toBeLessThanOrEqual(4000);
      expect(d.target.kind).toBe('issue');
      expect(routeNames(e)).not.toContain('skip-bots');
    },
  },
  'issue_comment-2-w2fm.json': {
    event: 'issue_comment',
    name: 'github.issue_comment.comment',
    repo: 'gridhead/test-repo',
    actor: 'gridhead',
  },
  'issue_comment-3-go-scm.json': {
    event: 'issue_comment',
    name: 'github.issue_comment.comment',
    repo: 'abc/def-ci-webhook-test',
    actor: 'lts-def',
    check: (e) =>
      expect((e.data as unknown as HostNoteData).target).toMatchObject({ kind: 'pull_request', label: '#2' }),
  },
  'workflow_run.failure-1-ayush8116.json': {
    event: 'workflow_run',
    name: 'github.workflow_run.failed',
    repo: 'ayush8116-tech/chat-app-project',
    actor: 'ayush8116-tech',
    branch: 'main',
    check: (e) => {
      const d = e.data as unknown as HostPipelineData;
      expect([d.pipeline.name, d.pipeline.number, d.pipeline.hostStatus]).toEqual(['Deno', '52', 'failure']);
      expect(d.pipeline.url).toMatch(/^https:\/\/github\.com\/.+\/actions\/runs\/\d+$/);
    },
  },
};

if (!hasSharedFixtures()) noteSkipped('source-github conformance');

(hasSharedFixtures() ? describe : describe.skip)('GitHub conformance over ../shared/fixtures/github', () => {
  it('has an explicit expectation for every recorded delivery', () => {
    expect(listSharedFixtures('github')).toEqual(Object.keys(shared).sort());
  });

  it.each(Object.entries(shared))('%s → verified, normalised, routed, rendered', async (file, x) => {
    const bytes = readSharedFixture('github', file);
    const event = await receiveAs(source, gitHubRequest(bytes, x.event), { secret });
    expect(event.name).toBe(x.name);
    expect(gitHubEventNames).toContain(event.name);
    expect([event.repo, event.actor, event.branch, event.tag]).toEqual([x.repo, x.actor, x.branch, x.tag]);
    expect(event.id).toBe('github:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(event.ping).toBe(false);
    expect(event.summary).not.toMatch(/\n/);
    expect(JSON.stringify(event.data)).not.toContain('null');
    expect(routeNames(event)).toEqual(expect.arrayContaining(['host', 'by-name', 'by-type']));
    x.check?.(event);
    expect({ event: event.name, ...(await checkRendered(event)) }).toMatchSnapshot();
  });

  it.each(Object.entries(shared))(
    '%s with another secret → 401 that names the GitHub Webhook Secret',
    async (file, x) => {
      const bytes = readSharedFixture('github', file);
      const error = await errorOf(
        receiveAs(source, gitHubRequest(bytes, x.event), { secret: 'not-the-secret-at-all' }),
      );
      expect([error.code, error.status]).toEqual(['HM_ERR_SRC_SIGNATURE', 401]);
      expect(error.hint).toContain('GitHub Webhook Secret');
    },
  );
});

/** @octokit/webhooks-examples: GitHub's documented examples of every event and action. */
interface OctokitEvent {
  readonly name: string;
  readonly examples: readonly Record<string, unknown>[];
}
const octokit = (createRequire(import.meta.url)('@octokit/webhooks-examples') as OctokitEvent[]).filter((e) =>
  ['ping', 'push', 'create', 'delete', 'issues', 'issue_comment', 'pull_request', 'pull_request_review']
    .concat(['pull_request_review_comment', 'commit_comment', 'release', 'workflow_run', 'check_suite'])
    .includes(e.name),
);
const octokitCases = octokit.flatMap((e) =>
  e.examples.map(
    (payload, i) =>
      [
        `${e.name}.${typeof payload['action'] === 'string' ? payload['action'] : '-'} #${i}`,
        e.name,
        payload,
      ] as const,
  ),
);

describe('GitHub conformance over @octokit/webhooks-examples', () => {
  it('covers every event the source reads, with many examples', () => {
    expect(new Set(octokit.map((e) => e.name)).size).toBe(13);
    expect(octokitCases.length).toBeGreaterThanOrEqual(120);
  });

  const snapshotted = new Set<string>();
  it.each(octokitCases)('%s', async (label, name, payload) => {
    const bytes = Buffer.from(JSON.stringify(payload));
    const event = await receiveAs(
      source,
      gitHubRequest(bytes, name, `octokit-${label.replace(/\W/g, '-')}`),
      { secret },
    );
    expect(gitHubEventNames).toContain(event.name);
    expect(event.type).toBe(name);
    expect(event.ping).toBe(name === 'ping');
    expect(JSON.stringify(event.data)).not.toContain('null');
    if (name === 'ping') {
      expect(routeNames(event)).toEqual([]);
    } else {
      expect(routeNames(event)).toEqual(expect.arrayContaining(['host', 'by-name']));
    }
    const rendered = await checkRendered(event);
    // One snapshot per event name (the first example of it), so each message kind is read once.
    if (!snapshotted.has(event.name)) {
      snapshotted.add(event.name);
      expect({ event: event.name, ...rendered }).toMatchSnapshot(event.name);
    }
  });
});

describe('GitHub playground samples (made-up people, real shapes)', () => {
  it.each(gitHubSamples.map((s) => [s.label, s] as const))('%s', async (_label, sample) => {
    const body = Buffer.from(JSON.stringify(sample.payload));
    const event = await receiveAs(source, gitHubRequest(body, sample.event), { secret });
    expect(gitHubEventNames).toContain(event.name);
    expect({
      event: event.name,
      mentions: event.data['mentions'],
      ...(await checkRendered(event)),
    }).toMatchSnapshot();
  });

  it('mentions people through their `github:` key: the requested reviewer, and the committer of a failed run', async () => {
    const opened = await receiveAs(
      source,
      gitHubRequest(Buffer.from(JSON.stringify(gitHubSamples[1]!.payload)), 'pull_request'),
      {
        secret,
      },
    );
    expect((await checkRendered(opened)).md).toContain('审查：<@LiSi>');
    const failed = await receiveAs(
      source,
      gitHubRequest(Buffer.from(JSON.stringify(gitHubSamples[2]!.payload)), 'workflow_run'),
      {
        secret,
      },
    );
    expect(failed.data['mentions']).toEqual(['zhangsan-dev']);
    expect((await checkRendered(failed)).md).toContain('请关注：<@ZhangSan>');
  });

  it('answers a ping 200-style (an event with ping: true that no ordinary route takes)', async () => {
    const ping = octokit.find((e) => e.name === 'ping')!.examples[0]!;
    const event = await receiveAs(source, gitHubRequest(Buffer.from(JSON.stringify(ping)), 'ping'), {
      secret,
    });
    expect([event.name, event.ping]).toEqual(['github.ping', true]);
    expect(routeNames(event)).toEqual([]);
  });

  it('refuses a body without X-Hub-Signature-256 when a secret is set, naming the old SHA-1 header if that came', async () => {
    const body = Buffer.from(JSON.stringify(gitHubSamples[0]!.payload));
    const error = await errorOf(
      receiveAs(
        source,
        buildHostRequest('/webhooks/github', body, {
          'x-github-event': 'push',
          'x-hub-signature': 'sha1=abc',
        }),
        {
          secret,
        },
      ),
    );
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_NO_TOKEN', 401]);
    expect(error.hint).toContain('GitHub Webhook Secret');
    expect(error.hint).toContain('SHA-1');
  });

  it('answers an event it does not read with a 400 that lists the ones it does', async () => {
    const body = Buffer.from('{"action":"created","repository":{"full_name":"a/b"}}');
    const error = await errorOf(receiveAs(source, gitHubRequest(body, 'star'), { secret }));
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_UNKNOWN_HOOK', 400]);
    expect(error.hint).toContain('workflow_run');
  });
});
