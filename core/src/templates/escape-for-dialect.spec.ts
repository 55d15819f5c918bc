import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import type { HookEvent } from '../contracts/hook-event.js';
import type { Dialect, Message, TemplateFormat } from '../contracts/message.js';
import type { DeliveryResult, Sink, SinkTarget } from '../contracts/sink.js';
import {
  escapeForDialect,
  escapeMark,
  sanitizeRobotMarkdown,
  toHttpUrl,
  toVisibleText,
  withoutLinkTargets,
} from './escape-for-dialect.js';
import { MessageRenderer } from './message-renderer.js';
import { TemplateSet } from './template-set.js';

const m = escapeMark;

describe('escapeForDialect', () => {
  it('breaks every markup token of WeCom markdown v1 and keeps the characters', () => {
    const hostile = '<@all> @all <font color="warning">X</font>\n# H\n> q\n---\n[a](javascript:x) **b** &lt;';
    const out = escapeForDialect(hostile, 'wecom-markdown');
    expect(out).not.toMatch(/<@|<font|^#|^>|^---|\]\(|\*\*|&lt;/m);
    expect(out).not.toMatch(/@all/);
    expect(toVisibleText(out, 'wecom-markdown')).toBe(hostile);
  });

  it('uses backslash escapes in markdown_v2 (CommonMark), including table pipes and backticks', () => {
    const out = escapeForDialect('a | b `c` *d* # e\n- f\n1. g', 'wecom-markdown-v2');
    expect(out).toBe('a \\| b \\`c\\` \\*d\\* \\# e\n\\- f\n1\\. g');
    expect(toVisibleText(out, 'wecom-markdown-v2')).toBe('a | b `c` *d* # e\n- f\n1. g');
  });

  it('in text dialects only breaks mention tags and @all, leaving the rest as written', () => {
    expect(escapeForDialect('<@ZhangSan> **x** # y @all a@b.com', 'wecom-text')).toBe(
      `<${m}@${m}ZhangSan> **x** # y @${m}all a@b.com`,
    );
    expect(escapeForDialect('<at user_id="all">所有人</at>', 'feishu-text')).toBe(
      `<${m}at user_id="all">所有人<${m}/at>`,
    );
  });

  it('leaves ordinary text alone (no marks in ids, refs, emails, Chinese)', () => {
    for (const dialect of [
      'wecom-markdown',
      'dingtalk-markdown',
      'feishu-lark-md',
      'wecom-text',
    ] as Dialect[])
      expect(escapeForDialect('#I9XK2P feat-2-1 修复 a@b.com 1.2.3', dialect)).toBe(
        '#I9XK2P feat-2-1 修复 a@b.com 1.2.3',
      );
  });
});

describe('toHttpUrl', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(toHttpUrl(' https://gitee.com/a?b=1&c=2 ')).toBe('https://gitee.com/a?b=1&c=2');
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:x',
      'data:text/html,x',
      '//gitee.com',
      '/a',
      'https://',
      'https://a b',
      'dingtalk://dingtalkclient/page/link?url=x',
      'https://a\u200B.com',
    ])
      expect(toHttpUrl(bad)).toBeUndefined();
  });
});

describe('sanitizeRobotMarkdown', () => {
  it('keeps the client markup but not its mention tags, other tags or non-http links', () => {
    const out = sanitizeRobotMarkdown(
      '## 告警 <font color="warning">红</font> <@all> <at id=all></at> [a](https://x.cn/1) [b](javascript:alert(1)) @all',
    );
    expect(out).toContain('## 告警 <font color="warning">红</font>');
    expect(out).toContain('[a](https://x.cn/1)');
    expect(out).not.toMatch(/<@|<at|\(javascript/);
    expect(out).not.toMatch(/@all/);
  });
});

describe('withoutLinkTargets', () => {
  it('keeps link labels and drops URLs', () => {
    expect(
      withoutLinkTargets(
        '[发布](https://ci.example/deploy) 看 https://x.cn/部署 <link url="https://y">卡</link>',
      ),
    ).toBe('发布 看  卡');
  });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-esc-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const event: HookEvent = {
  id: 'gitee:1',
  source: 'gitee',
  type: 'issue',
  action: 'open',
  name: 'gitee.issue.open',
  ping: false,
  receivedAt: 0,
  url: 'javascript:alert(1)',
  summary: 's',
  payload: { issue: { title: '原始\n# 标题', body: 'a\nb' } },
  data: {
    issue: { title: '登录\n# HUGE\n> quote\n---', url: 'javascript:alert(1)', body: '<@all>' },
    repo: { url: 'https://gitee.com/a/b' },
    markup: '<font color="info">ok</font>',
    who: { login: 'someone', name: 'all' },
    long: { title: '长'.repeat(300), body: '长'.repeat(300) },
  },
};

function render(template: string, format: TemplateFormat = 'md', dialect?: Dialect): Message {
  const dir = folder({ [`_default.${format}.hbs`]: template });
  const { set, errors } = TemplateSet.load([dir]);
  expect(errors).toEqual([]);
  const sink: Sink = {
    type: 'fake',
    identity: 'wecom',
    configSchema: {},
    secretKeys: [],
    rateLimits: [],
    formatMention: (id) => `<@${id}>`,
    ...(dialect === undefined ? {} : { dialect: () => dialect }),
    templateFormat: () => format,
    robotKey: () => 'k',
    maxTextBytes: () => 4096,
    toRequestBody: (msg: Message) => msg,
    send: (): Promise<DeliveryResult> => Promise.resolve({ ok: true }),
  };
  const target: SinkTarget = { name: 't', type: 'fake', settings: {} };
  return new MessageRenderer({
    templates: set,
    builtinDir: dir,
    timeZone: 'UTC',
    people: [{ gitee: 'zs', wecom: 'ZhangSan' }],
  }).render(event, { sink, target });
}

describe('templates print text; markup only on purpose', () => {
  it('escapes {{value}}, and prints {{{value}}} and {{raw value}} as written', () => {
    const text = render('{{issue.body}}|{{{markup}}}|{{raw markup}}|{{markup}}').text;
    expect(text).toBe(
      `<${m}@${m}all>|<font color="info">ok</font>|<font color="info">ok</font>|<${m}font color="info">ok<${m}/font>`,
    );
  });

  it('collapses single-line fields (titles) to one line wherever they are printed', () => {
    expect(render('{{issue.title}}').text).toBe('登录 # HUGE > quote ---');
    expect(render('**{{issue.title}}**').text).toBe('**登录 # HUGE > quote ---**');
    expect(render('{{{issue.title}}}').text).toBe('登录 # HUGE > quote ---');
  });

  it('makes payload titles one line where they are printed, triple braces and helpers too', () => {
    expect(
      render('{{payload.issue.title}}|{{{payload.issue.title}}}|{{truncate payload.issue.title 20}}').text,
    ).toBe('原始 # 标题|原始 # 标题|原始 # 标题');
    expect(render('{{{payload.issue.body}}}').text).toBe('a\nb');
  });

  it('cuts a single-line value over 256 characters with …, and leaves other long values alone', () => {
    expect(render('{{long.title}}').text).toBe(`${'长'.repeat(255)}…`);
    expect(render('{{long.body}}').text).toBe('长'.repeat(300));
  });

  it('links only to http(s), with escaped labels, in the dialect', () => {
    expect(render('{{link issue.title issue.url}}').text).toBe('登录 # HUGE > quote ---');
    expect(render('{{#link repo.url}}仓库 {{issue.body}}{{/link}}').text).toBe(
      `[仓库 <${m}@${m}all>](https://gitee.com/a/b)`,
    );
    expect(render('{{link "x" repo.url}}', 'txt').text).toBe('x https://gitee.com/a/b');
    expect(render('{{href issue.url}}|{{href repo.url}}', 'txt').text).toBe('|https://gitee.com/a/b');
  });

  it('keeps front-matter URL fields only when they are http(s), and never links the event to javascript:', () => {
    const message = render('---\nurl: "{{issue.url}}"\npicurl: "{{repo.url}}"\n---\nx');
    expect(message.fields).toEqual({ url: '', picurl: 'https://gitee.com/a/b' });
    expect(message.url).toBeUndefined();
  });

  it('mention and mentionAll are markup; names printed for them are escaped', () => {
    const message = render('{{mention "zs"}} {{mentionAll}}');
    expect(message.text).toBe('<@ZhangSan> @all');
    expect(message.mentions.userIds).toEqual(['ZhangSan']);
  });

  it('a person named "all" is named, not turned into @all', () => {
    expect(render('{{mention who}}').text).toBe(`@${m}all`);
  });

  it('escapes for the dialect the sink declares', () => {
    expect(render('{{issue.body}} *x*', 'md', 'wecom-markdown-v2').text).toBe('\\<@all\\> *x*');
  });
});
