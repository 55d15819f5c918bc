import { describe, expect, test } from '@jest/globals';

import { MemoryLogger, type HookEvent } from '@hookmux/core';
import { DingTalkSource } from '@hookmux/source-dingtalk';

import { buildRenderer, readOwnFixture, utf8Bytes, wecom } from '../templates/helpers/render-gitee.js';
import { readSharedFixture } from '../helpers/shared-fixtures.js';
import { digestOf, pushChain, pushVariant, receiveAll, targets } from './helpers/digest-bursts.js';

/**
 * Digests of real bursts, frozen as WeCom markdown and text (and the structured news and card
 * forms). Every body goes through the real Gitee source. Read a changed snapshot before accepting it.
 */
const renderer = buildRenderer();

async function snapshotOf(bodies: Parameters<typeof receiveAll>[0]) {
  const events = await receiveAll(bodies);
  const md = digestOf(renderer, events, targets.markdown);
  const txt = digestOf(renderer, events, targets.text);
  expect(md.included).toBe(events.length);
  expect(txt.included).toBe(events.length);
  expect(utf8Bytes(md.message.text)).toBeLessThanOrEqual(4096);
  expect(utf8Bytes(txt.message.text)).toBeLessThanOrEqual(2048);
  return { md, txt, events };
}

describe('digests of real bursts, snapshots', () => {
  test('pushes on several branches', async () => {
    const bodies = [
      ...pushChain(3, { branch: 'feature/退款-v2', pushers: ['lina-dev', 'wangwei'], commits: 3, seq: 100 }),
      pushVariant({ seq: 200, branch: 'main', pusher: 'zhangwei', commits: 2 }),
      ...pushChain(2, { branch: 'fix/登录跳转', pushers: ['wangwei'], commits: 1, seq: 300 }),
      readOwnFixture('push-branch-create.json'),
      readOwnFixture('tag-create.json'),
    ];
    const { md, txt } = await snapshotOf(bodies);
    expect({ markdown: md.message.text, text: txt.message.text, level: md.level }).toMatchSnapshot();
  });

  test("a pull request's life", async () => {
    const { md, txt } = await snapshotOf(
      [
        'pr-open',
        'pr-update-new-commits',
        'pr-update-label',
        'pr-update-target-branch',
        'pr-approved',
        'pr-merge',
      ].map((f) => readOwnFixture(`${f}.json`)),
    );
    expect({
      markdown: md.message.text,
      text: txt.message.text,
      mentions: md.message.mentions,
    }).toMatchSnapshot();
  });

  test("an issue's life", async () => {
    const { md, txt } = await snapshotOf(
      ['issue-open', 'issue-assign', 'issue-state-change', 'issue-delete'].map((f) =>
        readOwnFixture(`${f}.json`),
      ),
    );
    expect({ markdown: md.message.text, text: txt.message.text }).toMatchSnapshot();
  });

  test('comments', async () => {
    const { md, txt } = await snapshotOf(
      ['note-issue-comment', 'note-pr-comment', 'note-commit-comment', 'note-edited'].map((f) =>
        readOwnFixture(`${f}.json`),
      ),
    );
    expect({ markdown: md.message.text, text: txt.message.text }).toMatchSnapshot();
  });

  test('recorded Gitee deliveries of every kind', async () => {
    const files = [
      'push-1-branch-update.json',
      'merge-request-1-open.json',
      'merge-request-2-update-source-branch-changed.json',
      'merge-request-5-merge.json',
      'issue-1-open.json',
      'note-1-issue-comment.json',
      'tag-push-1-create.json',
    ];
    const { md, txt } = await snapshotOf(files.map((f) => readSharedFixture('gitee', f)));
    expect({ markdown: md.message.text, text: txt.message.text }).toMatchSnapshot();
  });
});

describe('mixed sources and other hosts', () => {
  test('a Gitee burst, a DingTalk-compatible message and events in the cross-host shape from other hosts', async () => {
    const gitee = await receiveAll([
      pushVariant({ seq: 400, branch: 'main', pusher: 'zhangwei', commits: 2 }),
      readOwnFixture('pr-merge.json'),
    ]);
    const dingtalk = new DingTalkSource().receive(
      {
        method: 'POST',
        path: '/dingtalk/robot/send',
        headers: { 'content-type': 'application/json' },
        query: { access_token: 'ops' },
        params: {},
        rawBody: readSharedFixture('robots', 'dingtalk-req-markdown.json'),
        ip: '127.0.0.1',
        receivedAt: Date.UTC(2024, 4, 20, 2, 40),
      },
      {
        settings: { robots: { ops: {} } },
        logger: new MemoryLogger(),
        now: () => Date.UTC(2024, 4, 20, 2, 40),
      },
    );
    // Another host's push, in the shape every code-host source fills (the Gitee push's data, as GitHub would give it).
    const giteePush = gitee[0] as HookEvent;
    const githubPush: HookEvent = {
      ...giteePush,
      id: 'gh-1',
      source: 'github',
      name: 'github.push',
      data: {
        ...giteePush.data,
        repo: { name: 'hookmux', fullName: 'acme/hookmux', url: 'https://github.com/acme/hookmux' },
        compareUrl: 'https://github.com/acme/hookmux/compare/1111111...2222222',
        refUrl: 'https://github.com/acme/hookmux/tree/main',
      },
    };
    const pipeline: HookEvent = {
      id: 'gl-1',
      source: 'gitlab',
      type: 'pipeline',
      action: 'failed',
      name: 'gitlab.pipeline.failed',
      repo: 'acme/hookmux',
      ping: false,
      receivedAt: Date.UTC(2024, 4, 20, 2, 41),
      url: 'https://gitlab.com/acme/hookmux/-/pipelines/77',
      summary: 'pipeline #77 failed on main',
      payload: {},
      data: {
        kind: 'pipeline',
        repo: { name: 'hookmux', fullName: 'acme/hookmux', url: 'https://gitlab.com/acme/hookmux' },
        actor: { login: 'wangwei', name: '王伟' },
        mentions: [],
        pipeline: {
          name: '#77',
          status: 'failed',
          branch: 'main',
          url: 'https://gitlab.com/acme/hookmux/-/pipelines/77',
          durationSec: 95,
          durationText: '1 分 35 秒',
        },
      },
    };
    const release: HookEvent = {
      ...pipeline,
      id: 'gh-rel-1',
      source: 'github',
      type: 'release',
      action: 'publish',
      name: 'github.release.publish',
      url: 'https://github.com/acme/hookmux/releases/tag/v2.3.0',
      summary: 'release v2.3.0 published',
      data: {
        kind: 'release',
        repo: { name: 'hookmux', fullName: 'acme/hookmux', url: 'https://github.com/acme/hookmux' },
        actor: { login: 'zhangwei', name: '张伟' },
        mentions: [],
        release: {
          tag: 'v2.3.0',
          name: 'v2.3.0 扫码登录',
          url: 'https://github.com/acme/hookmux/releases/tag/v2.3.0',
          body: '',
          draft: false,
          prerelease: false,
        },
      },
    };
    const events = [...gitee, dingtalk, githubPush, pipeline, release];
    const md = digestOf(renderer, events, targets.markdown);
    const txt = digestOf(renderer, events, targets.text);
    expect(md.included).toBe(events.length);
    // One source's push and another's never merge, even with the same ref.
    expect(md.message.text.match(/推送了/g)).toHaveLength(2);
    expect({ markdown: md.message.text, text: txt.message.text }).toMatchSnapshot();
  });
  test("another host's pull request keeps its own label (GitHub #12) and groups its transitions", async () => {
    const [gitee] = await receiveAll([readOwnFixture('pr-open.json')]);
    const pr = gitee as HookEvent;
    const onGitHub = (action: string, i: number): HookEvent => ({
      ...pr,
      id: `gh-pr-${i}`,
      source: 'github',
      action,
      name: `github.merge_request.${action}`,
      data: {
        ...pr.data,
        repo: { name: 'hookmux', fullName: 'acme/hookmux', url: 'https://github.com/acme/hookmux' },
        pullRequest: {
          ...(pr.data['pullRequest'] as object),
          number: 12,
          label: '#12',
          url: 'https://github.com/acme/hookmux/pull/12',
        },
      },
    });
    const events = ['open', 'update', 'update', 'merge'].map(onGitHub);
    const text = digestOf(renderer, events, targets.markdown).message.text;
    expect(text).toContain('Pull Request [#12](https://github.com/acme/hookmux/pull/12)');
    expect(text).toContain('> 创建 → 更新 ×2 → <font color="info">合并</font>');
  });
});

describe('structured forms', () => {
  test('news: one article per group, at most 8; card: a row per group and links to the first three', async () => {
    const bodies = [
      ...pushChain(2, { branch: 'feature/退款-v2', pushers: ['lina-dev'], commits: 2, seq: 500 }),
      readOwnFixture('pr-open.json'),
      readOwnFixture('pr-merge.json'),
      readOwnFixture('issue-open.json'),
      readOwnFixture('note-issue-comment.json'),
    ];
    const events = await receiveAll(bodies);
    const news = digestOf(renderer, events, targets.news);
    const newsBody = wecom.toRequestBody(news.message, targets.news);
    expect(newsBody).toMatchSnapshot();
    const card = digestOf(renderer, events, targets.card);
    expect(wecom.toRequestBody(card.message, targets.card)).toMatchSnapshot();

    // Nine branches: seven articles and an eighth for the whole digest.
    const many = await receiveAll(
      Array.from({ length: 9 }, (_, i) =>
        pushVariant({ seq: 600 + i, branch: `feature/分支-${i}`, commits: 1 }),
      ),
    );
    const articles = (
      wecom.toRequestBody(digestOf(renderer, many, targets.news).message, targets.news) as {
        news: { articles: { title: string }[] };
      }
    ).news.articles;
    expect(articles).toHaveLength(8);
    expect(articles[7]?.title).toBe('消息汇总：9 条，张伟 推送到 yunque-api 的 feature/分支-0等');
  });
});
