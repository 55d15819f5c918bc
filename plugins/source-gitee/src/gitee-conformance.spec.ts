import { describe, expect, it } from '@jest/globals';
import { HookmuxError, type HookEvent } from '@hookmux/core';

import {
  hasSharedFixtures,
  listSharedFixtures,
  noteSkipped,
  readSharedFixture,
} from '../../../test/helpers/shared-fixtures.js';
import {
  buildContext,
  buildGiteeRequest,
  parseJson,
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

/** The hook secret of drone/go-scm's recorded deliveries (set A in SOURCES.md). */
const droneSecret = 'bBg5lrt03VixkX85CNqYIcecC0SIGASE';
const hour = 3_600_000;

interface Expected {
  readonly name: string;
  readonly header: string;
  readonly repo: string;
  readonly actor: string;
  readonly branch?: string;
  readonly tag?: string;
  /** Set A: signed with droneSecret. Set B: password test12345, sent as pings. */
  readonly auth: 'signed' | 'ping' | 'none';
  readonly check?: (event: HookEvent) => void;
}

const kit = { repo: 'kit101/drone-yml-test', actor: 'kit101' } as const;
const canned = { repo: 'oschina/git-osc', actor: 'oschina-org', auth: 'ping' } as const;

const expectations: Readonly<Record<string, Expected | 'wecom'>> = {
  'push-1-branch-update.json': {
    ...kit,
    name: 'gitee.push.update',
    header: 'Push Hook',
    branch: 'feat-2-1',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteePushData;
      expect(e.summary).toBe('kit101 pushed 1 commit to kit101/drone-yml-test:feat-2-1');
      expect(e.url).toBe(d.compareUrl);
      expect(d.commits.map((c) => [c.shortId, c.title, c.author.login])).toEqual([
        ['9921e45', 'feat-2-1', 'kit101'],
      ]);
      expect([d.commitCount, d.moreCommits]).toEqual([1, 0]);
    },
  },
  'push-2-branch-create.json': {
    ...kit,
    name: 'gitee.push.create',
    header: 'Push Hook',
    branch: 'feat-2-1',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteePushData;
      expect(d.created).toBe(true);
      expect(d.commits).toEqual([]);
      expect(d.headCommit?.title).toBe('feat-2');
      // total_commits_count is 13 here, but no commits were pushed: it is not a push count.
      expect([d.commitCount, d.moreCommits]).toEqual([0, 0]);
      expect(e.url).toBe('https://gitee.com/kit101/drone-yml-test/tree/feat-2-1');
    },
  },
  'push-3-branch-delete.json': {
    ...kit,
    name: 'gitee.push.delete',
    header: 'Push Hook',
    branch: 'feat-3',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteePushData;
      expect([d.deleted, d.commits.length, d.commitCount, d.headCommit, d.refUrl]).toEqual([
        true,
        0,
        0,
        undefined,
        undefined,
      ]);
      expect(e.summary).toBe('kit101 deleted branch feat-3 in kit101/drone-yml-test');
    },
  },
  'push-4-leifengyang-query-param-echo.json': {
    name: 'gitee.push.update',
    header: 'Push Hook',
    repo: 'leifengyang/mall-2',
    actor: 'leifengyang',
    branch: 'release',
    auth: 'none',
    check: (e) => {
      const payload = e.payload as Record<string, unknown>;
      expect(payload['token']).toBe('***');
      expect(JSON.stringify(e)).not.toContain('fdsfdsfdsfgdhgfhgju6yy544edwqrfdsgfhrtw563yhgfd');
    },
  },
  'push-5-makewheels-query-param-echo.json': {
    name: 'gitee.push.update',
    header: 'Push Hook',
    repo: 'publishcode/cf-git-synchronizer',
    actor: 'publishcode',
    branch: 'master',
    auth: 'none',
    check: (e) => {
      expect((e.payload as Record<string, unknown>)['webHookName']).toBe('***');
      const d = e.data as unknown as GiteePushData;
      // The commit author has no Gitee account: a name, no login.
      expect(d.commits[0]?.author).toEqual({ name: 'makewheels', login: undefined });
    },
  },
  'push-6-wecom-format-ayusummer.json': 'wecom',
  'tag-push-1-create.json': {
    ...kit,
    name: 'gitee.tag_push.create',
    header: 'Tag Push Hook',
    tag: '1.3',
    auth: 'signed',
    check: (e) => {
      expect(e.branch).toBeUndefined();
      expect(e.url).toBe('https://gitee.com/kit101/drone-yml-test/tree/1.3');
      expect(e.summary).toBe('kit101 created tag 1.3 in kit101/drone-yml-test');
    },
  },
  'tag-push-2-delete.json': {
    ...kit,
    name: 'gitee.tag_push.delete',
    header: 'Tag Push Hook',
    tag: '1.3',
    auth: 'signed',
  },
  'merge-request-1-open.json': {
    ...kit,
    name: 'gitee.merge_request.open',
    header: 'Merge Request Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteePullRequestData;
      expect([d.pullRequest.number, d.pullRequest.sourceBranch, d.pullRequest.targetBranch]).toEqual([
        9,
        'feat-3',
        'master',
      ]);
      expect(d.actionDesc).toBeUndefined();
      expect(e.url).toBe('https://gitee.com/kit101/drone-yml-test/pulls/9');
    },
  },
  'merge-request-2-update-source-branch-changed.json': {
    ...kit,
    name: 'gitee.merge_request.update',
    header: 'Merge Request Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => {
      expect((e.data as unknown as GiteePullRequestData).actionDesc).toBe('source_branch_changed');
      expect(e.summary).toContain('pushed new commits to pull request !7');
    },
  },
  'merge-request-3-update-label-added.json': {
    ...kit,
    name: 'gitee.merge_request.update',
    header: 'Merge Request Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteePullRequestData;
      expect(d.actionDesc).toBe('update_label');
      expect(d.pullRequest.labels.length).toBe(1);
    },
  },
  'merge-request-4-update-label-removed.json': {
    ...kit,
    name: 'gitee.merge_request.update',
    header: 'Merge Request Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => expect((e.data as unknown as GiteePullRequestData).pullRequest.labels).toEqual([]),
  },
  'merge-request-5-merge.json': {
    ...kit,
    name: 'gitee.merge_request.merge',
    header: 'Merge Request Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteePullRequestData;
      expect([d.pullRequest.merged, d.pullRequest.state, d.actionDesc]).toEqual([true, 'merged', undefined]);
      expect(d.pullRequest.testers.map((p) => p.login)).toEqual(['kit101']);
    },
  },
  'merge-request-6-close.json': {
    ...kit,
    name: 'gitee.merge_request.close',
    header: 'Merge Request Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => expect((e.data as unknown as GiteePullRequestData).pullRequest.merged).toBe(false),
  },
  'issue-1-open.json': {
    ...kit,
    name: 'gitee.issue.open',
    header: 'Issue Hook',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteeIssueData;
      expect([d.issue.number, d.issue.state, e.url]).toEqual([
        'I4CYEO',
        'open',
        'https://gitee.com/kit101/drone-yml-test/issues/I4CYEO',
      ]);
      expect(e.branch).toBeUndefined();
    },
  },
  'issue-2-assign.json': {
    ...kit,
    name: 'gitee.issue.assign',
    header: 'Issue Hook',
    auth: 'signed',
    check: (e) => expect((e.data as unknown as GiteeIssueData).issue.assignee?.login).toBe('kit101'),
  },
  'issue-3-state-change.json': {
    ...kit,
    name: 'gitee.issue.state_change',
    header: 'Issue Hook',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteeIssueData;
      expect([d.issue.state, d.issue.stateName]).toEqual(['progressing', '进行中']);
      expect(d.issue.milestone?.title).toBe('beta1.0');
      expect(d.issue.labels).toEqual(['duplicate']);
    },
  },
  'issue-4-delete.json': { ...kit, name: 'gitee.issue.delete', header: 'Issue Hook', auth: 'signed' },
  'issue-5-enterprise-state-rejected-reserialized.json': {
    name: 'gitee.issue.state_change',
    header: 'Issue Hook',
    repo: 'src-openeuler/containerd',
    actor: 'yajieli',
    auth: 'none',
    check: (e) => {
      const d = e.data as unknown as GiteeIssueData;
      expect([d.issue.state, d.issue.stateName, d.enterprise?.name]).toEqual([
        'rejected',
        '已拒绝',
        'openEuler',
      ]);
      expect(d.issue.labels).toEqual(['CVE/UNAFFECTED', 'sig/sig-CloudNative']);
    },
  },
  'note-1-issue-comment.json': {
    ...kit,
    name: 'gitee.note.comment',
    header: 'Note Hook',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteeNoteData;
      expect([d.target.kind, d.target.number, d.target.label]).toEqual(['issue', 'I4CF12', '#I4CF12']);
      expect(d.pullRequest).toBeUndefined();
      expect(e.branch).toBeUndefined();
    },
  },
  'note-2-pull-request-comment.json': {
    ...kit,
    name: 'gitee.note.comment',
    header: 'Note Hook',
    branch: 'master',
    auth: 'signed',
    check: (e) => {
      const d = e.data as unknown as GiteeNoteData;
      expect([d.target.kind, d.target.number, d.target.title]).toEqual(['pull_request', '7', 'feat add 3']);
      expect(d.comment.url).toBe('https://gitee.com/kit101/drone-yml-test/pulls/7#note_6937563');
      expect(e.url).toBe(d.comment.url);
      expect(e.summary).toBe('kit101 commented on pull request !7 "feat add 3" in kit101/drone-yml-test');
    },
  },
  'ping-test-1-push.json': {
    ...canned,
    name: 'gitee.push.update',
    header: 'push_hooks',
    branch: 'test_version',
  },
  'ping-test-2-tag-push.json': {
    ...canned,
    name: 'gitee.tag_push.update',
    header: 'tag_push_hooks',
    tag: 'test_version',
  },
  'ping-test-3-issue.json': { ...canned, name: 'gitee.issue.open', header: 'issue_hooks' },
  'ping-test-4-merge-request.json': {
    ...canned,
    name: 'gitee.merge_request.open',
    header: 'merge_request_hooks',
    branch: 'master',
  },
  'ping-test-5-note.json': {
    ...canned,
    name: 'gitee.note.comment',
    header: 'note_hooks',
    check: (e) => expect((e.data as unknown as GiteeNoteData).target.kind).toBe('issue'),
  },
};

const files = listSharedFixtures('gitee');
const signedFiles = Object.entries(expectations)
  .filter(([, x]) => x !== 'wecom' && x.auth === 'signed')
  .map(([file]) => file);

function newSource(): GiteeSource {
  return new GiteeSource(new MemoryReplayCache());
}

async function receiveFixture(file: string, expected: Expected): Promise<HookEvent> {
  const bytes = readSharedFixture('gitee', file);
  const body = parseJson(bytes);
  if (expected.auth === 'signed') {
    const now = Number(body['timestamp']) + 60_000;
    return newSource().receive(
      buildGiteeRequest(bytes, signedHeadersOf(bytes, expected.header)),
      buildContext({ secret: droneSecret }, now),
    );
  }
  if (expected.auth === 'ping') {
    // Test deliveries: password mode, the password only in the body, `timestamp: null`.
    const request = buildGiteeRequest(bytes, {
      'x-gitee-event': expected.header,
      'x-gitee-ping': 'true',
      'x-gitee-token': '',
    });
    return newSource().receive(request, buildContext({ secret: 'test12345' }));
  }
  return newSource().receive(
    buildGiteeRequest(bytes, { 'x-gitee-event': expected.header }),
    buildContext({ secret: 'none' }),
  );
}

async function errorOf(promise: Promise<unknown>): Promise<HookmuxError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!HookmuxError.is(error)) throw new Error(`expected a HookmuxError, got ${String(error)}`);
  return error;
}

if (!hasSharedFixtures()) noteSkipped('source-gitee conformance');

(hasSharedFixtures() ? describe : describe.skip)('Gitee conformance over ../shared/fixtures/gitee', () => {
  it('should have an explicit expectation for every fixture file', () => {
    expect(files).toEqual(Object.keys(expectations).sort());
    expect(signedFiles).toHaveLength(17);
  });

  it.each(Object.entries(expectations).filter(([, x]) => x !== 'wecom') as [string, Expected][])(
    '%s → its event',
    async (file, expected) => {
      const event = await receiveFixture(file, expected);
      expect(event.name).toBe(expected.name);
      expect(event.source).toBe('gitee');
      expect(`gitee.${event.type}.${event.action}`).toBe(expected.name);
      expect(event.repo).toBe(expected.repo);
      expect(event.actor).toBe(expected.actor);
      expect(event.branch).toBe(expected.branch);
      expect(event.tag).toBe(expected.tag);
      expect(event.ping).toBe(expected.auth === 'ping');
      expect(event.id).toMatch(/^gitee:(\d+|nohook):[0-9a-f]{32}$/);
      expect(event.summary).not.toMatch(/\n/);
      expect(event.summary.length).toBeGreaterThan(10);
      const json = JSON.stringify(event);
      expect(json).not.toContain(droneSecret);
      // The canned pings' password is also their repo's name (in hook_url): look for it as a value.
      expect(json).not.toContain('"test12345"');
      const payload = event.payload as Record<string, unknown>;
      const original = parseJson(readSharedFixture('gitee', file));
      if (original['sign']) expect(payload['sign']).toBe('***');
      expect(JSON.stringify(event.data)).not.toContain('null');
      expected.check?.(event);
    },
  );

  it('should answer the WeCom-format body with a 400 that says what to change in Gitee', async () => {
    const bytes = readSharedFixture('gitee', 'push-6-wecom-format-ayusummer.json');
    const error = await errorOf(
      newSource().receive(
        buildGiteeRequest(bytes, { 'x-gitee-event': 'Push Hook' }),
        buildContext({ secret: 'none' }),
      ),
    );
    expect([error.code, error.status]).toEqual(['HM_ERR_SRC_WECOM_FORMAT', 400]);
    expect(error.hint).toContain('WebHook');
  });

  it('should still verify the WeCom-format body first when a secret is configured', async () => {
    const bytes = readSharedFixture('gitee', 'push-6-wecom-format-ayusummer.json');
    const error = await errorOf(
      newSource().receive(buildGiteeRequest(bytes, {}), buildContext({ secret: droneSecret })),
    );
    expect(error.code).toBe('HM_ERR_SRC_NO_TOKEN');
  });

  describe.each(signedFiles)('signed delivery %s', (file) => {
    // Read lazily: describe bodies run even when the suite is skipped for want of ../shared.
    const expected = expectations[file] as Expected;
    const bytesOf = () => readSharedFixture('gitee', file);
    const sentAtOf = () => Number(parseJson(bytesOf())['timestamp']);
    const request = () => buildGiteeRequest(bytesOf(), signedHeadersOf(bytesOf(), expected.header));

    it('should verify with the hook secret at its own time', async () => {
      const event = await newSource().receive(request(), buildContext({ secret: droneSecret }, sentAtOf()));
      expect(event.name).toBe(expected.name);
    });

    it('should fail with another secret', async () => {
      const error = await errorOf(
        newSource().receive(request(), buildContext({ secret: 'not-the-hook-secret' }, sentAtOf())),
      );
      expect(error.code).toBe('HM_ERR_SRC_SIGNATURE');
    });

    it('should fail with a clock 2 h later', async () => {
      const error = await errorOf(
        newSource().receive(request(), buildContext({ secret: droneSecret }, sentAtOf() + 2 * hour)),
      );
      expect(error.code).toBe('HM_ERR_SRC_STALE_TIMESTAMP');
    });

    it('should verify from the body alone when a proxy dropped the headers', async () => {
      const headerless = buildGiteeRequest(bytesOf(), { 'x-gitee-event': expected.header });
      const event = await newSource().receive(headerless, buildContext({ secret: droneSecret }, sentAtOf()));
      expect(event.name).toBe(expected.name);
    });
  });

  it('should refuse a replayed signed delivery on the same source', async () => {
    const bytes = readSharedFixture('gitee', 'push-1-branch-update.json');
    const source = newSource();
    const sentAt = Number(parseJson(bytes)['timestamp']);
    const context = buildContext({ secret: droneSecret }, sentAt);
    await source.receive(buildGiteeRequest(bytes, signedHeadersOf(bytes)), context);
    const error = await errorOf(source.receive(buildGiteeRequest(bytes, signedHeadersOf(bytes)), context));
    expect(error.code).toBe('HM_ERR_SRC_REPLAY');
  });

  it('should refuse the unauthenticated query-echo pushes when a secret is configured', async () => {
    for (const file of [
      'push-4-leifengyang-query-param-echo.json',
      'push-5-makewheels-query-param-echo.json',
    ]) {
      const bytes = readSharedFixture('gitee', file);
      const error = await errorOf(
        newSource().receive(
          buildGiteeRequest(bytes, { 'x-gitee-token': '' }),
          buildContext({ secret: droneSecret }),
        ),
      );
      expect(error.code).toBe('HM_ERR_SRC_NO_TOKEN');
    }
  });
});
