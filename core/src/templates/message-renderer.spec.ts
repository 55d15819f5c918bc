import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import type { HookEvent } from '../contracts/hook-event.js';
import type { Message, TemplateFormat } from '../contracts/message.js';
import type { DeliveryResult, Sink, SinkTarget } from '../contracts/sink.js';
import { MessageRenderer } from './message-renderer.js';
import { TemplateSet } from './template-set.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-tpl-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const event: HookEvent = {
  id: 'gitee:1',
  source: 'gitee',
  type: 'push',
  action: 'update',
  name: 'gitee.push.update',
  repo: 'acme/widget',
  branch: 'main',
  actor: 'zhangsan',
  ping: false,
  receivedAt: 0,
  url: 'https://gitee.com/acme/widget/compare/a...b',
  summary: '张三 pushed 1 commit to acme/widget:main',
  payload: { ref: 'refs/heads/main' },
  data: { repo: { fullName: 'acme/widget' }, commits: [{ shortId: 'abc1234', title: "it's <fine> & 好" }] },
};

function sink(format: TemplateFormat): { sink: Sink; target: SinkTarget } {
  const s: Sink = {
    type: 'fake',
    identity: 'wecom',
    configSchema: {},
    secretKeys: [],
    rateLimits: [],
    formatMention: (id, f) => (f === 'md' ? `<@${id}>` : `@${id}`),
    templateFormat: () => format,
    robotKey: () => 'k',
    maxTextBytes: () => 4096,
    toRequestBody: (m: Message) => m,
    send: (): Promise<DeliveryResult> => Promise.resolve({ ok: true }),
  };
  return { sink: s, target: { name: 'team-a', type: 'fake', settings: {} } };
}

describe('TemplateSet.load', () => {
  it('names the file and line of a syntax error, counting front matter lines', () => {
    const dir = folder({
      'gitee/push.md.hbs': '---\ntitle: x\n---\nline one\n{{#each commits}}\nunclosed\n',
    });
    const { errors } = TemplateSet.load([dir]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('HM_ERR_TPL_SYNTAX');
    expect(errors[0]?.at).toBe(`${join(dir, 'gitee/push.md.hbs')}:7`);
  });

  it('refuses an unknown helper at load time, not on the first webhook', () => {
    const dir = folder({ '_default.md.hbs': 'ok\n{{shortShaa sha}}' });
    const { errors } = TemplateSet.load([dir]);
    expect(errors[0]?.message).toContain('unknown helper "shortShaa"');
    expect(errors[0]?.at).toBe(`${join(dir, '_default.md.hbs')}:2`);
  });

  it('reports every broken file, not only the first', () => {
    const dir = folder({ 'a.md.hbs': '{{#if}}', 'b.md.hbs': '{{nope x}}', 'c.md.hbs': 'fine' });
    expect(TemplateSet.load([dir]).errors).toHaveLength(2);
  });

  it('reports a missing template folder', () => {
    expect(TemplateSet.load(['/does/not/exist']).errors[0]?.code).toBe('HM_ERR_TPL_NOT_FOUND');
  });
});

describe('MessageRenderer', () => {
  it('looks up the most specific template within the first folder that has one', () => {
    const route = folder({ 'gitee/push.md.hbs': 'route push' });
    const user = folder({
      'gitee/push.update.md.hbs': 'user push.update',
      '_default.md.hbs': 'user default',
    });
    const builtin = folder({
      'gitee/push.update.md.hbs': 'builtin push.update',
      '_default.md.hbs': 'builtin default',
      '_default.txt.hbs': 'builtin txt',
    });
    const { set } = TemplateSet.load([route, user, builtin]);
    const renderer = new MessageRenderer({
      templates: set,
      userDir: user,
      builtinDir: builtin,
      timeZone: 'UTC',
      people: [],
    });
    expect(renderer.render(event, sink('md'), route).text).toBe('route push');
    expect(renderer.render(event, sink('md')).text).toBe('user push.update');
    expect(
      renderer.render({ ...event, type: 'issue', action: 'open', name: 'gitee.issue.open' }, sink('md')).text,
    ).toBe('user default');
    expect(renderer.render(event, sink('txt')).text).toBe('builtin txt');
  });

  it('renders data, payload and event fields escaped for the dialect (not as HTML), and front matter fields', () => {
    const dir = folder({
      '_default.md.hbs':
        '---\ntitle: "{{repo.fullName}} @ {{event.branch}}"\nurl: "{{event.url}}"\n---\n{{#each commits}}- {{shortId}} {{title}}\n{{/each}}\n\n\n\n{{payload.ref}}',
    });
    const { set } = TemplateSet.load([dir]);
    const message = new MessageRenderer({
      templates: set,
      builtinDir: dir,
      timeZone: 'UTC',
      people: [],
    }).render(event, sink('md'));
    // `'` and `&` stay as they are; the `<` of the payload text carries the invisible escape mark.
    expect(message.text).toBe("- abc1234 it's <\u200Bfine> & 好\n\nrefs/heads/main");
    expect(message.fields).toEqual({ title: 'acme/widget @ main', url: event.url });
    expect(message).toMatchObject({
      eventId: 'gitee:1',
      sink: 'team-a',
      format: 'md',
      url: event.url,
      count: 1,
    });
  });

  it('mentions people through the people map in the sink syntax, and collects them', () => {
    const dir = folder({
      '_default.md.hbs': '{{mention event.actor}} {{mention "lisi"}} {{mention "wangwu"}}',
      '_default.txt.hbs': '{{mention event.actor}}',
    });
    const { set } = TemplateSet.load([dir]);
    const people = [
      { gitee: 'zhangsan', wecom: 'ZhangSan', mobile: '13800000000' },
      { gitee: 'lisi', mobile: '13900000000', name: '李四' },
    ];
    const renderer = new MessageRenderer({ templates: set, builtinDir: dir, timeZone: 'UTC', people });
    const md = renderer.render(event, sink('md'));
    expect(md.text).toBe('<@ZhangSan> @李四 @wangwu');
    expect(md.mentions).toEqual({ userIds: ['ZhangSan'], mobiles: ['13900000000'], all: false });
    // The test sink's formatMention gives `@id` in txt (a sink returning '' gets the name instead).
    expect(renderer.render(event, sink('txt')).text).toBe('@ZhangSan');
  });

  it('formats dates in the configured time zone', () => {
    const dir = folder({
      '_default.md.hbs': '{{date "2021-10-08T17:53:12+08:00"}} | {{date 1633686799688 "date" "UTC"}}',
    });
    const { set } = TemplateSet.load([dir]);
    const text = new MessageRenderer({
      templates: set,
      builtinDir: dir,
      timeZone: 'Asia/Shanghai',
      people: [],
    }).render(event, sink('md')).text;
    expect(text).toBe('2021-10-08 17:53 | 2021-10-08');
  });

  it('never reads prototype properties', () => {
    const dir = folder({ '_default.md.hbs': '[{{payload.constructor.name}}][{{payload.__proto__}}]' });
    const { set } = TemplateSet.load([dir]);
    const text = new MessageRenderer({ templates: set, builtinDir: dir, timeZone: 'UTC', people: [] }).render(
      event,
      sink('md'),
    ).text;
    expect(text).toBe('[][]');
  });
});

describe('helpers for user text', () => {
  it('quote and plain keep user markdown from turning into structure', () => {
    const dir = folder({ '_default.md.hbs': '{{quote payload.body}}\n---\n{{plain payload.body}}' });
    const { set } = TemplateSet.load([dir]);
    const body = '## 现象\n**粗体** and [link](https://gitee.com/x)\n> quoted';
    const text = new MessageRenderer({ templates: set, builtinDir: dir, timeZone: 'UTC', people: [] }).render(
      { ...event, payload: { body } },
      sink('md'),
    ).text;
    // Quoted lines are escaped: the user's heading, bold, link and quote stay text inside the quote.
    const mark = '\u200B';
    expect(text).toBe(
      `> ${mark}## 现象\n> *${mark}*粗体*${mark}* and [link]${mark}(https://gitee.com/x)\n> ${mark}> quoted\n---\n现象\n粗体 and link (https://gitee.com/x)\nquoted`,
    );
  });

  it('mentions a person not in the people map by the display name the event carries', () => {
    const dir = folder({ '_default.md.hbs': '{{mention data.who}}' });
    const { set } = TemplateSet.load([dir]);
    const text = new MessageRenderer({ templates: set, builtinDir: dir, timeZone: 'UTC', people: [] }).render(
      { ...event, data: { data: { who: { login: 'wangwu', name: '王五' } } } },
      sink('md'),
    ).text;
    expect(text).toBe('@王五');
  });
});

describe('mentions by mobile (robot-compatible sources)', () => {
  it('maps a mobile to the person with that mobile, and collects the mobile', () => {
    const dir = folder({ '_default.txt.hbs': '{{mention data.at}}' });
    const { set } = TemplateSet.load([dir]);
    const people = [{ dingtalk: 'dt-1', wecom: 'ZhangSan', mobile: '13800000000' }];
    const message = new MessageRenderer({ templates: set, builtinDir: dir, timeZone: 'UTC', people }).render(
      {
        ...event,
        source: 'dingtalk',
        data: { data: { at: [{ mobile: '13800000000' }, { mobile: '13900000000' }, 'dt-1'] } },
      },
      sink('txt'),
    );
    expect(message.text).toBe('@ZhangSan @13900000000 @ZhangSan');
    expect(message.mentions).toEqual({ userIds: ['ZhangSan'], mobiles: ['13900000000'], all: false });
  });
});
