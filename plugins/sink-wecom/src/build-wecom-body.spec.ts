import { describe, expect, it } from '@jest/globals';

import { noMentions, type Message } from '@hookmux/core';

import { hasSharedFixtures, noteSkipped, readSharedFixture } from '../../../test/helpers/shared-fixtures.js';
import { buildWeComBody, weComLimits } from './build-wecom-body.js';
import { byteLength } from './truncate-utf8-markdown.js';
import type { WeComFormat } from './wecom-settings.js';

/** Keys and nesting of a JSON value, with leaf types: what "shaped like the real example" means. */
type Shape = string | Shape[] | { [key: string]: Shape };
function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}

/** Every path of `part` exists in `whole` with the same type. */
function expectShapeWithin(part: Shape, whole: Shape, path = '$'): void {
  if (typeof part === 'string' || typeof whole === 'string') {
    expect(`${path}: ${JSON.stringify(part)}`).toBe(`${path}: ${JSON.stringify(whole)}`);
    return;
  }
  if (Array.isArray(part)) {
    expect(Array.isArray(whole)).toBe(true);
    if (part[0] !== undefined && Array.isArray(whole) && whole[0] !== undefined)
      expectShapeWithin(part[0], whole[0], `${path}[0]`);
    return;
  }
  expect(Array.isArray(whole)).toBe(false);
  for (const [key, value] of Object.entries(part)) {
    const expected = (whole as Record<string, Shape>)[key];
    expect({ path: `${path}.${key}`, known: expected !== undefined }).toEqual({
      path: `${path}.${key}`,
      known: true,
    });
    if (expected !== undefined) expectShapeWithin(value, expected, `${path}.${key}`);
  }
}

function buildMessage(overrides: Partial<Message> = {}): Message {
  return {
    eventId: 'e1',
    eventName: 'gitee.merge_request.merge',
    sink: 'team-a',
    format: 'md',
    text: '**lisi** 合并了 [!42 修复登录超时](https://gitee.example/acme/widgets/pulls/42)',
    fields: {},
    mentions: noMentions,
    url: 'https://gitee.example/acme/widgets/pulls/42',
    summary: 'lisi merged !42 in acme/widgets',
    count: 1,
    ...overrides,
  };
}

/** Our own card, every section WeCom's text_notice example has, with our own values. */
const fullCard = {
  card_type: 'text_notice',
  source: { icon_url: 'https://gitee.example/logo.png', desc: 'Gitee', desc_color: 0 },
  main_title: { title: '合并请求已合并', desc: 'acme/widgets' },
  emphasis_content: { title: '!42', desc: '合并请求' },
  quote_area: {
    type: 1,
    url: 'https://gitee.example/acme/widgets/pulls/42',
    appid: 'none',
    pagepath: 'none',
    title: '说明',
    quote_text: '修复登录超时',
  },
  sub_title_text: 'lisi 合并到 main',
  horizontal_content_list: [{ keyname: '作者', value: 'lisi' }],
  jump_list: [{ type: 1, url: 'https://gitee.example/acme/widgets/pulls/42', title: '查看合并请求' }],
  card_action: {
    type: 1,
    url: 'https://gitee.example/acme/widgets/pulls/42',
    appid: 'none',
    pagepath: 'none',
  },
};

const shapeCases: [string, WeComFormat, Message][] = [
  [
    'text',
    'text',
    buildMessage({
      format: 'txt',
      text: 'lisi 合并了 !42',
      mentions: { userIds: ['LiSi'], mobiles: ['13800001111'], all: true },
    }),
  ],
  ['markdown', 'markdown', buildMessage()],
  ['markdown_v2', 'markdown_v2', buildMessage()],
  [
    'news',
    'news',
    buildMessage({
      fields: {
        title: '!42 已合并',
        description: '修复登录超时',
        url: 'https://gitee.example/x',
        picurl: 'https://gitee.example/p.png',
      },
    }),
  ],
  ['template_card-text_notice', 'template_card', buildMessage({ fields: { card: fullCard } })],
];

describe('buildWeComBody request shapes', () => {
  const present = hasSharedFixtures();
  if (!present) noteSkipped('wecom request shapes');

  (present ? it.each(shapeCases) : it.skip.each(shapeCases))(
    'should build %s with the keys and nesting of the official example',
    (fixture, format, message) => {
      const example: unknown = JSON.parse(
        readSharedFixture('robots', `wecom-req-${fixture}.json`).toString('utf8'),
      );
      const body = buildWeComBody(message, { format, mentions: true });
      expect(shapeOf(body)).toEqual(shapeOf(example));
    },
  );

  (present ? it : it.skip)('should derive a card that only uses keys of the official example', () => {
    const example: unknown = JSON.parse(
      readSharedFixture('robots', 'wecom-req-template_card-text_notice.json').toString('utf8'),
    );
    const body = buildWeComBody(
      buildMessage({ fields: { title: '!42 已合并', description: 'acme/widgets' } }),
      { format: 'template_card', mentions: true },
    );
    expectShapeWithin(shapeOf(body), shapeOf(example));
  });
});

describe('buildWeComBody', () => {
  it('should put mentions in the text lists, @all once, without duplicates', () => {
    const body = buildWeComBody(
      buildMessage({
        format: 'txt',
        text: 'hi',
        mentions: { userIds: ['a', 'b', 'a'], mobiles: ['138'], all: true },
      }),
      { format: 'text', mentions: true },
    );
    expect(body).toEqual({
      msgtype: 'text',
      text: { content: 'hi', mentioned_list: ['a', 'b', '@all'], mentioned_mobile_list: ['138'] },
    });
  });

  it('should leave markdown mentions to the inline <@id> the template wrote', () => {
    const body = buildWeComBody(
      buildMessage({ text: '请 <@LiSi> 看', mentions: { userIds: ['LiSi'], mobiles: [], all: false } }),
      { format: 'markdown', mentions: true },
    );
    expect(body).toEqual({ msgtype: 'markdown', markdown: { content: '请 <@LiSi> 看' } });
  });

  it('should cut text to 2048 and markdown to 4096 bytes, linking to the full thing', () => {
    const text = buildWeComBody(buildMessage({ text: '中'.repeat(3000) }), {
      format: 'text',
      mentions: true,
    });
    const markdown = buildWeComBody(buildMessage({ text: '中'.repeat(3000) }), {
      format: 'markdown_v2',
      mentions: true,
    });
    expect(text.msgtype === 'text' && byteLength(text.text.content)).toBeLessThanOrEqual(weComLimits.text);
    expect(
      text.msgtype === 'text' &&
        text.text.content.endsWith('全文: https://gitee.example/acme/widgets/pulls/42'),
    ).toBe(true);
    expect(
      markdown.msgtype === 'markdown_v2' && byteLength(markdown.markdown_v2.content),
    ).toBeLessThanOrEqual(weComLimits.markdown);
    expect(
      markdown.msgtype === 'markdown_v2' &&
        markdown.markdown_v2.content.endsWith('[查看全文](https://gitee.example/acme/widgets/pulls/42)'),
    ).toBe(true);
  });

  it('should take up to 8 news articles from fields.articles, cutting titles and descriptions to WeCom bytes', () => {
    const articles = Array.from({ length: 10 }, (_, i) => ({
      title: `标题${i}`.repeat(30),
      description: '描述'.repeat(200),
      url: `https://gitee.example/${i}`,
    }));
    const body = buildWeComBody(buildMessage({ fields: { articles } }), { format: 'news', mentions: true });
    if (body.msgtype !== 'news') throw new Error('expected news');
    expect(body.news.articles).toHaveLength(8);
    expect(body.news.articles.map((a) => a.url)).toEqual(articles.slice(0, 8).map((a) => a.url));
    for (const article of body.news.articles) {
      expect(byteLength(article.title)).toBeLessThanOrEqual(128);
      expect(byteLength(article.description ?? '')).toBeLessThanOrEqual(512);
    }
  });

  it('should fall back to the summary, plain text and message url for a single news article', () => {
    const body = buildWeComBody(buildMessage(), { format: 'news', mentions: true });
    expect(body).toEqual({
      msgtype: 'news',
      news: {
        articles: [
          {
            title: 'lisi merged !42 in acme/widgets',
            description: 'lisi 合并了 !42 修复登录超时',
            url: 'https://gitee.example/acme/widgets/pulls/42',
          },
        ],
      },
    });
  });

  it('should derive a text_notice card with the card_action WeCom requires', () => {
    const body = buildWeComBody(buildMessage({ fields: { title: '!42 已合并' } }), {
      format: 'template_card',
      mentions: true,
    });
    expect(body).toEqual({
      msgtype: 'template_card',
      template_card: {
        card_type: 'text_notice',
        main_title: { title: '!42 已合并' },
        sub_title_text: 'lisi 合并了 !42 修复登录超时',
        jump_list: [{ type: 1, url: 'https://gitee.example/acme/widgets/pulls/42', title: '查看详情' }],
        card_action: { type: 1, url: 'https://gitee.example/acme/widgets/pulls/42' },
      },
    });
  });

  it('should add card_action to a given card that lacks one', () => {
    const body = buildWeComBody(buildMessage({ fields: { card: { main_title: { title: 't' } } } }), {
      format: 'template_card',
      mentions: true,
    });
    expect(body).toEqual({
      msgtype: 'template_card',
      template_card: {
        card_type: 'text_notice',
        main_title: { title: 't' },
        card_action: { type: 1, url: 'https://gitee.example/acme/widgets/pulls/42' },
      },
    });
  });
});
