import { describe, expect, it } from '@jest/globals';
import type { HookEvent, HostNoteData, HostPullRequestData, HostPushData } from '@hookmux/core';

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
import { giteaEventNames } from './gitea-event-names.js';
import { giteaSamples } from './gitea-samples.js';
import { GiteaSource } from './gitea-source.js';
import { signGiteaBody } from './verify-gitea-signature.js';

const secret = 'gitea-conformance-secret-3e9a';
const source = new GiteaSource();
const renderer = buildHostRenderer('source-gitea');

type Flavour = 'gitea' | 'forgejo' | 'gogs';

/** As each host signs: Gitea `X-Gitea-*`; Forgejo its own headers and Gitea's; Gogs `X-Gogs-*`. */
function giteaRequest(
  body: Buffer,
  event: string,
  flavour: Flavour = 'gitea',
  delivery = 'b1f0c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
) {
  const signature = signGiteaBody(body, secret);
  const own = {
    [`x-${flavour}-event`]: event,
    [`x-${flavour}-delivery`]: delivery,
    [`x-${flavour}-signature`]: signature,
  };
  return buildHostRequest('/webhooks/gitea', body, {
    'user-agent': 'Go-http-client/1.1',
    ...own,
    ...(flavour === 'forgejo'
      ? { 'x-gitea-event': event, 'x-gitea-delivery': delivery, 'x-gitea-signature': signature }
      : {}),
  });
}

interface Expected {
  readonly event: string;
  readonly flavour: Flavour;
  readonly name: string;
  readonly repo: string;
  readonly actor: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly check?: (e: HookEvent) => void;
}

const shared: Readonly<Record<string, Expected>> = {
  'create.tag-1-go-scm.json': {
    event: 'create',
    flavour: 'gitea',
    name: 'gitea.create.tag',
    repo: 'gogits/hello-world',
    actor: 'unknwon',
    tag: 'v1.0.0',
    check: (e) => expect((e.data as unknown as HostPushData).kind).toBe('tag_push'),
  },
  'issue_comment-1-w2fm-forgejo.json': {
    event: 'issue_comment',
    flavour: 'forgejo',
    name: 'gitea.issue_comment.comment',
    repo: 'fedora/w2fm-test',
    actor: 'gridhead',
    check: (e) =>
      expect((e.data as unknown as HostNoteData).target).toMatchObject({ kind: 'issue', label: '#5' }),
  },
  'issue_comment-2-go-scm.json': {
    event: 'issue_comment',
    flavour: 'gitea',
    name: 'gitea.issue_comment.comment',
    repo: 'gogits/hello-world',
    actor: 'unknwon',
    // 2017 Gitea sent no html_url on the issue: built from the repository's.
    check: (e) =>
      expect((e.data as unknown as HostNoteData).target.url).toBe(
        'http://try.gitea.io/gogits/hello-world/issues/1',
      ),
  },
  'issues.opened-1-w2fm-forgejo.json': {
    event: 'issues',
    flavour: 'forgejo',
    name: 'gitea.issues.open',
    repo: 'fedora/w2fm-test',
    actor: 'gridhead',
  },
  'pull_request.merged-1-woodpecker.json': {
    event: 'pull_request',
    flavour: 'gitea',
    name: 'gitea.pull_request.merge',
    repo: 'anbraten/test-repo',
    actor: 'anbraten',
    branch: 'main',
    check: (e) =>
      expect((e.data as unknown as HostPullRequestData).pullRequest.mergeCommitSha).toMatch(/^f2440f0/),
  },
  'pull_request.merged-2-go-scm.json': {
    event: 'pull_request',
    flavour: 'gogs',
    name: 'gitea.pull_request.merge',
    repo: 'jcitizen/my-repo',
    actor: 'jcitizen',
    branch: 'master',
    // The old body echoes the hook secret (`"secret": "12345"`): never stored as is.
    check: (e) => expect((e.payload as Record<string, unknown>)['secret']).toBe('***'),
  },
  'pull_request.opened-1-w2fm-forgejo.json': {
    event: 'pull_request',
    flavour: 'forgejo',
    name: 'gitea.pull_request.open',
    repo: 'fedora/w2fm-test',
    actor: 'gridhead',
    branch: 'main',
  },
  'pull_request.opened-2-go-scm.json': {
    event: 'pull_request',
    flavour: 'gitea',
    name: 'gitea.pull_request.open',
    repo: 'jcitizen/my-repo',
    actor: 'jcitizen',
    branch: 'master',
  },
  'push-1-woodpecker.json': {
    event: 'push',
    flavour: 'gitea',
    name: 'gitea.push.update',
    repo: 'Test-CI/multi-line-secrets',
    actor: 'test-user',
    branch: 'main',
    check: (e) => {
      const d = e.data as unknown as HostPushData;
      expect(d.commits.map((c) => [c.title, c.author.login])).toEqual([
        ['add some text', 'test-user'],
        ['rm a a file', 'test-user'],
        ['add some a files', 'test-user'],
      ]);
      expect([d.commitCount, d.moreCommits]).toEqual([3, 0]);
    },
  },
  'push-2-w2fm-forgejo.json': {
    event: 'push',
    flavour: 'forgejo',
    name: 'gitea.push.update',
    repo: 'fedora/w2fm-test',
    actor: 'gridhead',
    branch: 'pull',
  },
};

if (!hasSharedFixtures()) noteSkipped('source-gitea conformance');

(hasSharedFixtures() ? describe : describe.skip)(
  'Gitea / Forgejo / Gogs conformance over ../shared/fixtures/gitea',
  () => {
    it('has an explicit expectation for every recorded delivery', () => {
      expect(listSharedFixtures('gitea')).toEqual(Object.keys(shared).sort());
    });

    it.each(Object.entries(shared))('%s → verified, normalised, routed, rendered', async (file, x) => {
      const event = await receiveAs(
        source,
        giteaRequest(readSharedFixture('gitea', file), x.event, x.flavour),
        { secret },
      );
      expect(event.name).toBe(x.name);
      expect(giteaEventNames).toContain(event.name);
      expect([event.repo, event.actor, event.branch, event.tag]).toEqual([x.repo, x.actor, x.branch, x.tag]);
      expect(event.id).toBe('gitea:b1f0c2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b');
      expect(JSON.stringify(event.data)).not.toContain('null');
      expect(routeNames(event)).toEqual(expect.arrayContaining(['host', 'by-name', 'by-type']));
      x.check?.(event);
      expect({ event: event.name, ...checkRendered(renderer, event) }).toMatchSnapshot();
    });

    it.each(Object.entries(shared))(
      '%s with another secret → 401 that names the Gitea 密钥',
      async (file, x) => {
        const request = giteaRequest(readSharedFixture('gitea', file), x.event, x.flavour);
        const error = await errorOf(receiveAs(source, request, { secret: 'not-the-secret-at-all' }));
        expect([error.code, error.status]).toEqual(['HM_ERR_SRC_SIGNATURE', 401]);
        expect(error.hint).toContain('Gitea 密钥');
      },
    );
  },
);

describe('Gitea events the shared set lacks: the playground samples and review headers', () => {
  it.each(giteaSamples.map((s) => [s.label, s] as const))('%s', async (_label, sample) => {
    const body = Buffer.from(JSON.stringify(sample.payload));
    const flavour: Flavour = sample.headers?.['x-forgejo-event'] ? 'forgejo' : 'gitea';
    const event = await receiveAs(source, giteaRequest(body, sample.event, flavour), { secret });
    expect(giteaEventNames).toContain(event.name);
    expect({
      event: event.name,
      mentions: event.data['mentions'],
      ...checkRendered(renderer, event),
    }).toMatchSnapshot();
  });

  it.each([
    ['pull_request_approved', 'gitea.pull_request_review.approved'],
    ['pull_request_rejected', 'gitea.pull_request_review.changes_requested'],
    ['pull_request_comment', 'gitea.pull_request_review.comment'],
  ])('X-Gitea-Event %s → %s', async (header, name) => {
    const sample = giteaSamples[1]!;
    const payload = {
      ...sample.payload,
      action: 'reviewed',
      sender: { login: 'lisi', username: 'lisi', full_name: '李四' },
      review: {
        type: `pull_request_review_${header.split('_').pop() ?? ''}`,
        content: '看过了，有两处小问题',
      },
    };
    const event = await receiveAs(source, giteaRequest(Buffer.from(JSON.stringify(payload)), header), {
      secret,
    });
    expect(event.name).toBe(name);
    expect(event.data['mentions']).toEqual(['zhangsan']);
    const { md } = checkRendered(renderer, event);
    expect(md).toContain('看过了，有两处小问题');
  });

  it('refuses a body without any signature header when a secret is set', async () => {
    const body = Buffer.from(JSON.stringify(giteaSamples[0]!.payload));
    const error = await errorOf(
      receiveAs(source, buildHostRequest('/webhooks/gitea', body, { 'x-gitea-event': 'push' }), { secret }),
    );
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_NO_TOKEN', 401]);
    expect(error.hint).toContain('Gitea 密钥');
  });

  it('answers an event it does not handle with a 400 that lists the ones it does', async () => {
    const body = Buffer.from('{"repository":{"full_name":"a/b"}}');
    const error = await errorOf(receiveAs(source, giteaRequest(body, 'wiki'), { secret }));
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_UNKNOWN_HOOK', 400]);
    expect(error.hint).toContain('issue_comment');
  });
});
