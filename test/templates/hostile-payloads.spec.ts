/**
 * Issue 13: payload text is data. For every hostile string × every sink format × every source,
 * the robot request body (the real renderer, the real sink's `toRequestBody`) carries no mention,
 * colour, heading, quote, rule or link that the template did not write itself, and a person still
 * reads what the user wrote.
 *
 * "What the template wrote" is measured, not listed: the same event is rendered with a benign
 * stand-in of the same shape (every character but newlines replaced by `x`), and the hostile body
 * may not carry more of any markup than the benign one.
 */
import { describe, expect, it } from '@jest/globals';

import {
  MemoryLogger,
  toVisibleText,
  type Dialect,
  type HookEvent,
  type InboundRequest,
  type Person,
  type Sink,
  type SinkTarget,
} from '@hookmux/core';
import { DingTalkSink } from '@hookmux/sink-dingtalk';
import { FeishuSink } from '@hookmux/sink-feishu';
import { WeComSink } from '@hookmux/sink-wecom';
import { DingTalkSource } from '@hookmux/source-dingtalk';
import { FeishuSource } from '@hookmux/source-feishu';

import { MessageRenderer } from '../../core/src/templates/message-renderer.js';
import { TemplateSet } from '../../core/src/templates/template-set.js';
import { builtinDir, readOwnFixture, receiveGitee } from './helpers/render-gitee.js';

const hostile: Record<string, string> = {
  mentions: '<@all> @all <@ZhangSan> @ZhangSan',
  colour: '<font color="warning">FAKE PROD DOWN</font>',
  structure: '登录失败\n# HUGE\n> quote\n---\n- item\n1. first',
  links: '[<@all>](https://evil.example/x) [点我](javascript:alert(1)) ![img](https://evil.example/x.png)',
  entities: '&lt;@all&gt; &#60;font color="warning"&#62;红&#60;/font&#62; &amp;',
  zeroWidth: '<\u200B@all> @\u200Ball a\u200Db\uFEFFc <at\u200B user_id="all">x</at>',
  feishuTags: '<at user_id="all">所有人</at> <at id=all></at> <at user_id="ou_x">Tom</at>',
  pipes: '| a | <@all> |\n|---|---|\n| 1 | 2 |',
  backticks: '`code` ``` fence ``` **bold** __u__ ~~s~~ *i*',
  cjkEmojiAtLimit: `${'测'.repeat(700)}${'👨‍👩‍👧'.repeat(120)}<@all>`,
};

/** What a person must still read, per hostile string (the long one: its start). */
const mustShow: Record<string, readonly string[]> = {
  mentions: ['<@all> @all <@ZhangSan> @ZhangSan'],
  colour: ['<font color="warning">FAKE PROD DOWN</font>'],
  structure: ['登录失败', '# HUGE', '> quote', '---'],
  links: ['<@all>', '点我'],
  entities: ['&lt;@all&gt;', '&#60;font color="warning"&#62;'],
  zeroWidth: ['all', 'user_id="all"'],
  feishuTags: ['<at user_id="all">所有人</at>', '<at id=all></at>'],
  pipes: ['| a | <@all> |'],
  backticks: ['`code`', '**bold**'],
  cjkEmojiAtLimit: ['测测测测测测测测测测'],
};

const people: readonly Person[] = [
  { gitee: 'zhangwei', wecom: 'ZhangWei', dingtalk: 'dd-zhangwei', feishu: 'ou_zhangwei', name: '张伟' },
  { gitee: 'wangfang', wecom: 'WangFang', dingtalk: 'dd-wangfang', feishu: 'ou_wangfang', name: '王芳' },
];

interface Format {
  readonly name: string;
  readonly sink: Sink;
  readonly target: SinkTarget;
}

const wecom = new WeComSink();
const dingtalk = new DingTalkSink();
const feishu = new FeishuSink();
const formats: readonly Format[] = [
  ...['text', 'markdown', 'markdown_v2', 'news', 'template_card'].map((format) => ({
    name: `wecom ${format}`,
    sink: wecom,
    target: { name: `wecom-${format}`, type: 'wecom', settings: { key: 'k', format } },
  })),
  ...['text', 'markdown', 'actionCard'].map((format) => ({
    name: `dingtalk ${format}`,
    sink: dingtalk,
    target: { name: `dingtalk-${format}`, type: 'dingtalk', settings: { accessToken: 't', format } },
  })),
  ...['text', 'post', 'interactive'].map((format) => ({
    name: `feishu ${format}`,
    sink: feishu,
    target: { name: `feishu-${format}`, type: 'feishu', settings: { token: 't', format } },
  })),
];

const { set, errors } = TemplateSet.load([builtinDir]);
const renderer = new MessageRenderer({ templates: set, builtinDir, timeZone: 'Asia/Shanghai', people });

/** Every string in a Gitee body at these keys gets the text; issue, PR and commit links become javascript:. */
const textKeys = new Set(['title', 'body', 'message', 'name', 'note']);
function poisonGitee(value: unknown, text: string, key = ''): unknown {
  if (typeof value === 'string') {
    if (textKeys.has(key)) return text;
    if (/^https:\/\/gitee\.com\/.+\/(issues|pulls|commit)\//.test(value)) return 'javascript:alert(1)';
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => poisonGitee(v, text, key));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisonGitee(v, text, k)]));
  return value;
}

function inbound(
  query: Record<string, string>,
  params: Record<string, string>,
  body: unknown,
): InboundRequest {
  return {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json' },
    query,
    params,
    rawBody: Buffer.from(JSON.stringify(body)),
    ip: '127.0.0.1',
    receivedAt: 1_700_000_000_000,
  };
}

const dingTalkSource = new DingTalkSource();
const feishuSource = new FeishuSource();
const sourceContext = (settings: Record<string, unknown>) => ({
  settings,
  logger: new MemoryLogger(),
  now: () => 1_700_000_000_000,
});

type Source = (text: string) => Promise<HookEvent> | HookEvent;
const sources: Record<string, Source> = {
  'gitee push': (t) => receiveGitee(JSON.stringify(poisonGitee(json('push-25-commits.json'), t))),
  'gitee issue': (t) => receiveGitee(JSON.stringify(poisonGitee(json('issue-open.json'), t))),
  'gitee pull request': (t) => receiveGitee(JSON.stringify(poisonGitee(json('pr-open.json'), t))),
  'gitee note': (t) => receiveGitee(JSON.stringify(poisonGitee(json('note-issue-comment.json'), t))),
  // Robot clients: the payload text sits where DingTalk and Feishu show plain text. Their robots
  // refuse @all (`allowAtAll: false`): a client's `<at user_id="all">` is then text too.
  'dingtalk text': (t) =>
    dingTalkSource.receive(
      inbound({ access_token: 'tok' }, {}, { msgtype: 'text', text: { content: t } }),
      sourceContext({ robots: { tok: { allowAtAll: false } } }),
    ),
  'dingtalk link': (t) =>
    dingTalkSource.receive(
      inbound(
        { access_token: 'tok' },
        {},
        { msgtype: 'link', link: { title: t, text: t, messageUrl: 'https://ci.example/1', picUrl: '' } },
      ),
      sourceContext({ robots: { tok: { allowAtAll: false } } }),
    ),
  'feishu text': (t) =>
    feishuSource.receive(
      inbound({}, { token: 'hook' }, { msg_type: 'text', content: { text: t } }),
      sourceContext({ robots: { hook: { allowAtAll: false } } }),
    ),
  'feishu post': (t) =>
    feishuSource.receive(
      inbound(
        {},
        { token: 'hook' },
        {
          msg_type: 'post',
          content: {
            post: {
              zh_cn: {
                title: t,
                content: [
                  [
                    { tag: 'text', text: t },
                    { tag: 'a', text: t, href: 'javascript:alert(1)' },
                  ],
                ],
              },
            },
          },
        },
      ),
      sourceContext({ robots: { hook: { allowAtAll: false } } }),
    ),
};

function json(file: string): unknown {
  return JSON.parse(readOwnFixture(file).toString('utf8')) as unknown;
}

/** Every string in a request body, in order. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** The markup a robot would act on, counted in a request body. */
function countMarkup(body: unknown, dialect: Dialect): Record<string, number> {
  const v2 = dialect === 'wecom-markdown-v2';
  // CommonMark: a backslash-escaped character is text.
  const all = strings(body).map((s) => (v2 ? s.replace(/\\[!-/:-@[-`{-~]/g, '·') : s));
  const wire = JSON.stringify(body);
  const lines = all.flatMap((s) => s.split('\n'));
  const count = (pattern: RegExp, texts: readonly string[] = all): number =>
    texts.reduce((n, s) => n + (s.match(pattern)?.length ?? 0), 0);
  const markdown = dialect !== 'wecom-text' && dialect !== 'dingtalk-text' && dialect !== 'feishu-text';
  return {
    mentionTags: count(/<@|<at[\s>]/gi),
    // markdown_v2 has no mentions at all (robots.md §1.1): only the wire flags count there.
    atAll:
      (v2 ? 0 : count(/(^|[^\w\u200B])@all\b/g)) +
      (wire.match(/"isAtAll":true|"user_id":"all"|"@all"/g)?.length ?? 0),
    atElements: wire.match(/"tag":"at"/g)?.length ?? 0,
    colour: count(/<font\b/gi),
    entities: markdown ? count(/&#?\w+;/g) : 0,
    headings: markdown ? count(/^\s{0,3}#{1,6}(\s|$)/g, lines) : 0,
    quotes: markdown ? count(/^\s{0,3}>/g, lines) : 0,
    rules: markdown ? count(/^\s{0,3}([-*_=])(\s*\1){2,}\s*$/g, lines) : 0,
    lists: markdown ? count(/^\s{0,3}([-+*]|\d+[.)])\s/g, lines) : 0,
    tables: dialect === 'wecom-markdown-v2' ? count(/^\s*\|/g, lines) : 0,
    links: markdown ? count(/\]\(/g) : 0,
    linkElements: wire.match(/"tag":"a"/g)?.length ?? 0,
    bold: markdown ? count(/\*\*/g) : 0,
  };
}

/** No link target of any kind that is not http(s). */
function badTargets(body: unknown, dialect: Dialect): string[] {
  const wire = JSON.stringify(body);
  const text = dialect === 'wecom-text' || dialect === 'dingtalk-text' || dialect === 'feishu-text';
  const found = [
    ...(text ? [] : wire.matchAll(/(?<!\\\\)\]\((?!https?:\/\/)([^)]*)\)/g)),
    ...wire.matchAll(
      /"(?:href|url|messageUrl|messageURL|actionURL|singleURL|picurl|picUrl|default_url)":"(?!https?:\/\/)([^"]+)"/g,
    ),
  ].map((m) => m[0]);
  return found.filter((f) => !f.endsWith('""'));
}

function visible(body: unknown, dialect: Dialect): string {
  return toVisibleText(strings(body).join('\n'), dialect);
}

describe('hostile payload text × sink format × source: no markup the template did not write', () => {
  it('the built-in templates load', () => expect(errors).toEqual([]));

  for (const [sourceName, receive] of Object.entries(sources)) {
    describe(sourceName, () => {
      for (const [label, text] of Object.entries(hostile)) {
        it(`${label}`, async () => {
          const benignText = text.replace(/[^\n]/g, 'x');
          const [event, benignEvent] = [await receive(text), await receive(benignText)];
          for (const format of formats) {
            const dialect = format.sink.dialect?.(format.target) ?? 'markdown';
            const to = { sink: format.sink, target: format.target };
            const body = format.sink.toRequestBody(renderer.render(event, to), format.target);
            const benign = format.sink.toRequestBody(renderer.render(benignEvent, to), format.target);
            const got = countMarkup(body, dialect);
            const allowed = countMarkup(benign, dialect);
            // Reported with the format and kind, so a failure names the place.
            const extra = Object.entries(got)
              .filter(([kind, n]) => n > (allowed[kind] ?? 0))
              .map(([kind, n]) => `${format.name}: ${kind} ${n} > ${allowed[kind] ?? 0}`);
            expect(extra).toEqual([]);
            expect(badTargets(body, dialect).map((b) => `${format.name}: ${b}`)).toEqual([]);
            const shown = visible(body, dialect);
            // In a Feishu client's own text, `<at …>` is its mention syntax: it reads as @name.
            const fragments =
              sourceName === 'feishu text' && label === 'feishuTags'
                ? ['@所有人', '@Tom']
                : (mustShow[label] ?? []);
            for (const fragment of fragments) {
              expect({
                format: format.name,
                shows: shown.includes(fragment) ? fragment : shown.slice(0, 300),
              }).toEqual({
                format: format.name,
                shows: fragment,
              });
            }
            // Never a broken character, even where a long text was cut at a byte limit.
            expect(JSON.stringify(body)).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
          }
        });
      }
    });
  }
});

describe('what must keep working beside the escaping', () => {
  it('people-map mentions are real mentions in every sink that has them', async () => {
    const event = await receiveGitee(readOwnFixture('pr-open.json'));
    const body = (name: string): string => {
      const format = formats.find((f) => f.name === name);
      if (!format) throw new Error(name);
      const to = { sink: format.sink, target: format.target };
      return JSON.stringify(format.sink.toRequestBody(renderer.render(event, to), format.target));
    };
    expect(body('wecom markdown')).toContain('<@ZhangWei>、<@WangFang>');
    expect(body('wecom text')).toContain('"mentioned_list":["ZhangWei","WangFang"]');
    expect(body('wecom text')).toContain('审查：@张伟、@王芳');
    expect(body('dingtalk markdown')).toContain('"atUserIds":["dd-zhangwei","dd-wangfang"]');
    expect(body('feishu post')).toContain('{"tag":"at","user_id":"ou_zhangwei"}');
    expect(body('feishu interactive')).toContain('<at id=ou_zhangwei></at>');
  });

  it('@all from a robot client pings where the robot allows it, and nowhere when allowAtAll is false', async () => {
    const post = (allowAtAll: boolean | undefined): Promise<HookEvent> | HookEvent =>
      dingTalkSource.receive(
        inbound(
          { access_token: 'tok' },
          {},
          { msgtype: 'text', text: { content: '发布完成' }, at: { isAtAll: true } },
        ),
        sourceContext({ robots: { tok: allowAtAll === undefined ? {} : { allowAtAll } } }),
      );
    const wecomText = formats.find((f) => f.name === 'wecom text');
    if (!wecomText) throw new Error('no wecom text');
    const to = { sink: wecomText.sink, target: wecomText.target };
    const allowed = wecomText.sink.toRequestBody(
      renderer.render(await post(undefined), to),
      wecomText.target,
    );
    expect(JSON.stringify(allowed)).toContain('"mentioned_list":["@all"]');
    const refused = wecomText.sink.toRequestBody(renderer.render(await post(false), to), wecomText.target);
    expect(JSON.stringify(refused)).not.toContain('@all"');

    const feishuAll = (allowAtAll?: boolean): Promise<HookEvent> | HookEvent =>
      feishuSource.receive(
        inbound(
          {},
          { token: 'hook' },
          { msg_type: 'text', content: { text: '<at user_id="all">所有人</at> 发布' } },
        ),
        sourceContext({ robots: { hook: allowAtAll === undefined ? {} : { allowAtAll } } }),
      );
    const feishuText = formats.find((f) => f.name === 'feishu text');
    if (!feishuText) throw new Error('no feishu text');
    const fto = { sink: feishuText.sink, target: feishuText.target };
    expect(
      JSON.stringify(
        feishuText.sink.toRequestBody(renderer.render(await feishuAll(), fto), feishuText.target),
      ),
    ).toContain('<at user_id=\\"all\\">');
    const off = JSON.stringify(
      feishuText.sink.toRequestBody(renderer.render(await feishuAll(false), fto), feishuText.target),
    );
    expect(off).not.toMatch(/<at user_id=\\"all\\"/);
    expect(toVisibleText(off, 'feishu-text')).toContain('@所有人');
  });
});
