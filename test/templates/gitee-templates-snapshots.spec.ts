import { readdirSync } from 'node:fs';

import { describe, expect, test } from '@jest/globals';

import { GiteeSource, MemoryReplayCache } from '@hookmux/source-gitee';

import {
  buildRenderer,
  ownFixturesDir,
  readOwnFixture,
  receiveGitee,
  renderBoth,
  utf8Bytes,
  weComMaxBytes,
} from './helpers/render-gitee.js';

/**
 * The built-in messages, frozen per fixture × format. The fixtures are hookmux's own (realistic
 * Gitee bodies with Chinese and emoji, for the actions no public sample covers); the `people` map
 * turns Gitee logins into WeCom `<@userid>` mentions. Read a changed snapshot before accepting it.
 */
const renderer = buildRenderer();
const fixtures = readdirSync(ownFixturesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('built-in Gitee templates, snapshots', () => {
  test('every event the Gitee source emits has a fixture here', () => {
    const covered = [
      'push-25-commits',
      'push-branch-create',
      'push-branch-delete',
      'tag-create',
      'tag-delete',
    ]
      .concat(['issue-open', 'issue-state-change', 'issue-assign', 'issue-unassign', 'issue-delete'])
      .concat([
        'pr-open',
        'pr-update-new-commits',
        'pr-update-label',
        'pr-update-target-branch',
        'pr-merge',
        'pr-close',
      ])
      .concat(['pr-reopen', 'pr-approved', 'pr-tested', 'pr-assign'])
      .concat([
        'note-issue-comment',
        'note-pr-comment',
        'note-commit-comment',
        'note-edited',
        'note-deleted',
      ]);
    expect(fixtures).toEqual(covered.map((name) => `${name}.json`).sort());
  });

  test.each(fixtures)('%s', async (file) => {
    const event = await receiveGitee(readOwnFixture(file));
    const { md, txt } = renderBoth(renderer, event);
    expect(utf8Bytes(md.text)).toBeLessThanOrEqual(weComMaxBytes.md);
    expect(utf8Bytes(txt.text)).toBeLessThanOrEqual(weComMaxBytes.txt);
    expect({
      event: event.name,
      markdown: md.text,
      fields: md.fields,
      mentions: md.mentions,
      text: txt.text,
    }).toMatchSnapshot();
  });
});

describe('what the snapshots rely on, asserted outright', () => {
  test('a 25-commit push lists the first 10, then says how many more, and links the comparison', async () => {
    const { md, txt } = renderBoth(renderer, await receiveGitee(readOwnFixture('push-25-commits.json')));
    for (const message of [md, txt]) {
      expect(message.text).toContain('共 25 个提交');
      expect(message.text).toContain('…还有 15 个提交');
      expect(message.text).toContain('/compare/');
      expect(message.text).toContain('支持企业微信扫码登录 🔐'); // first commit, emoji intact
      expect(message.text).not.toContain('增加繁体中文文案'); // the 11th
    }
    expect(
      md.text.match(/^> \[[0-9a-f]{7}\]\(https:\/\/gitee\.com\/.+\/commit\/[0-9a-f]{40}\)/gm),
    ).toHaveLength(10);
    expect(txt.text.match(/^· [0-9a-f]{7} /gm)).toHaveLength(10);
  });

  test('mentions: people in the map become <@userid> in markdown, others @display name; the actor is never pinged', async () => {
    const open = renderBoth(renderer, await receiveGitee(readOwnFixture('pr-open.json')));
    // 李娜 opened it; 张伟 and 王芳 review, 陈杰 (mobile only) tests.
    expect(open.md.text).toContain('> 审查：<@ZhangWei>、<@WangFang>');
    expect(open.md.text).toContain('> 测试：@陈杰');
    expect(open.md.mentions).toEqual({
      userIds: ['ZhangWei', 'WangFang'],
      mobiles: ['13800000000'],
      all: false,
    });
    // Text names them: WeCom pings through mentioned_list, the content never shows a userid (issue 13).
    expect(open.txt.text).toContain('审查：@张伟、@王芳');

    const approved = renderBoth(renderer, await receiveGitee(readOwnFixture('pr-approved.json')));
    // 王芳 approved: the author (李娜) is told; 王芳 is named, not pinged.
    expect(approved.md.text).toContain('> 作者：<@LiNa>');
    expect(approved.md.mentions.userIds).toEqual(['LiNa']);

    const assign = renderBoth(renderer, await receiveGitee(readOwnFixture('issue-assign.json')));
    expect(assign.md.text).toContain('指派给了 @赵浩'); // not in `people`: the display name Gitee sends
  });

  test('an issue state change says from → to when the source saw the earlier state', async () => {
    const fresh = renderBoth(renderer, await receiveGitee(readOwnFixture('issue-state-change.json')));
    expect(fresh.md.text).toContain('的状态改为 <font color="info">已完成</font>');

    const source = new GiteeSource(new MemoryReplayCache());
    await receiveGitee(readOwnFixture('issue-open.json'), { source });
    const seen = renderBoth(
      renderer,
      await receiveGitee(readOwnFixture('issue-state-change.json'), { source }),
    );
    expect(seen.md.text).toContain(
      '的状态从 <font color="comment">待办的</font> 改为 <font color="info">已完成</font>',
    );
    expect(seen.txt.text).toContain('的状态从「待办的」改为「已完成」');
  });

  test('a comment shows at most four lines of its body', async () => {
    const { md, txt } = renderBoth(renderer, await receiveGitee(readOwnFixture('note-issue-comment.json')));
    for (const message of [md, txt]) {
      expect(message.text).toContain('复现了 👍');
      expect(message.text).toContain('第四行');
      expect(message.text).not.toContain('第五行');
    }
  });
});
