import { describe, expect, it } from '@jest/globals';

import { noMentions, type Message } from '@hookmux/core';

import { buildDingTalkBody, toDingTalkMarkdown } from './build-dingtalk-body.js';

const base: Message = {
  eventId: 'e1',
  eventName: 'gitee.push.update',
  sink: 'dt',
  format: 'md',
  text: '**张三** 推送到 main\n> 状态：<font color="info">成功</font> <@dt-li>',
  fields: { title: '推送', url: 'https://gitee.example/c' },
  mentions: { userIds: ['dt-li'], mobiles: [], all: true },
  url: 'https://gitee.example/c',
  summary: 'zhangsan pushed',
  count: 1,
};

describe('buildDingTalkBody', () => {
  it('translates WeCom markdown to DingTalk markdown', () => {
    expect(toDingTalkMarkdown(base.text)).toBe('**张三** 推送到 main  \n> 状态：成功 @dt-li');
  });

  it('markdown: title, text and at', () => {
    expect(buildDingTalkBody(base, { format: 'markdown', mentions: true })).toEqual({
      msgtype: 'markdown',
      markdown: { title: '推送', text: '**张三** 推送到 main  \n> 状态：成功 @dt-li' },
      at: { atUserIds: ['dt-li'], isAtAll: true },
    });
  });

  it('mentions: false sends no at', () => {
    expect(buildDingTalkBody(base, { format: 'text', mentions: false })).not.toHaveProperty('at');
  });

  it('actionCard takes buttons from front matter; link falls back to markdown without a url', () => {
    const card = buildDingTalkBody(
      { ...base, fields: { title: '发布', buttons: [{ title: '查看', url: 'https://x.example/1' }] } },
      { format: 'actionCard', mentions: true },
    );
    expect(card).toMatchObject({
      msgtype: 'actionCard',
      actionCard: { btns: [{ title: '查看', actionURL: 'https://x.example/1' }] },
    });
    const { url: _unused, ...noUrl } = base;
    void _unused;
    expect(buildDingTalkBody({ ...noUrl, fields: {} }, { format: 'link', mentions: true }).msgtype).toBe(
      'markdown',
    );
  });

  it('feedCard with no links list makes one from title and url', () => {
    expect(
      buildDingTalkBody({ ...base, mentions: noMentions }, { format: 'feedCard', mentions: true }),
    ).toEqual({
      msgtype: 'feedCard',
      feedCard: { links: [{ title: '推送', messageURL: 'https://gitee.example/c', picURL: '' }] },
    });
  });
});
