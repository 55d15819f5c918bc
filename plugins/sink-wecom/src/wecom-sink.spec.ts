import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

import { Container, noMentions, Sink, type SinkTarget } from '@hookmux/core';

import wecomModule from './index.js';
import { WeComSink } from './wecom-sink.js';

const key = '0b7e5c1d-2f44-4e0a-9d3c-7a1b2c3d4e5f';
const target = (settings: Record<string, unknown>, name = 'team-a'): SinkTarget => ({
  name,
  type: 'wecom',
  settings: { type: 'wecom', ...settings },
});

describe('WeComSink', () => {
  const sink = new WeComSink();

  it('should be contributed as a singleton Sink by the plugin module', () => {
    const container = new Container();
    container.load(wecomModule);
    const sinks = container.getAll<Sink>(Sink);
    expect(sinks).toHaveLength(1);
    expect(sinks[0]).toBeInstanceOf(WeComSink);
    expect(container.get(WeComSink)).toBe(sinks[0]);
  });

  describe('configSchema', () => {
    const validate = new Ajv2020({ allErrors: true, useDefaults: true }).compile(sink.configSchema);

    it.each([
      { type: 'wecom', webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}` },
      { type: 'wecom', key, format: 'text', rateLimit: '20/min', merge: false, timeout: '5s' },
      {
        type: 'wecom',
        key,
        apiBase: 'http://127.0.0.1:8080',
        format: 'template_card',
        mentions: false,
        timeout: 2500,
      },
    ])('should accept %j', (section) => {
      expect(validate(section)).toBe(true);
    });

    it.each([
      ['neither webhook nor key', { type: 'wecom' }],
      ['both webhook and key', { type: 'wecom', key, webhook: 'https://x.example/send?key=1' }],
      ['an empty key (unset env var)', { type: 'wecom', key: '' }],
      ['an unknown format', { type: 'wecom', key, format: 'html' }],
      ['a typo in a key name', { type: 'wecom', key, fromat: 'text' }],
      ['another type', { type: 'dingtalk', key }],
      ['a bad rate limit', { type: 'wecom', key, rateLimit: 'fast' }],
      ['a bad timeout', { type: 'wecom', key, timeout: 'soon' }],
    ])('should refuse %s', (_name, section) => {
      expect(validate(section)).toBe(false);
    });

    it('should default format to markdown and mentions to true', () => {
      const section: Record<string, unknown> = { type: 'wecom', key };
      validate(section);
      expect(section).toMatchObject({ format: 'markdown', mentions: true });
    });
  });

  it('should declare secrets, identity and WeCom rate limit', () => {
    expect(sink.type).toBe('wecom');
    expect(sink.identity).toBe('wecom');
    expect(sink.secretKeys).toEqual(['webhook', 'key']);
    expect(sink.rateLimits).toEqual([{ count: 20, windowMs: 60_000 }]);
  });

  it('should render text from txt templates and everything else from md', () => {
    expect(sink.templateFormat(target({ key, format: 'text' }))).toBe('txt');
    for (const format of ['markdown', 'markdown_v2', 'news', 'template_card'])
      expect(sink.templateFormat(target({ key, format }))).toBe('md');
    expect(sink.templateFormat(target({ key }))).toBe('md');
  });

  it('should limit text to 2048 and markdown to 4096 bytes', () => {
    expect(sink.maxTextBytes(target({ key, format: 'text' }))).toBe(2048);
    expect(sink.maxTextBytes(target({ key, format: 'markdown' }))).toBe(4096);
    expect(sink.maxTextBytes(target({ key, format: 'markdown_v2' }))).toBe(4096);
  });

  it('should give one robot key per robot, never containing the key', () => {
    const byKey = sink.robotKey(target({ key }));
    const byUrl = sink.robotKey(
      target({ webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}` }, 'other-name'),
    );
    expect(byKey).toBe(byUrl);
    expect(byKey).not.toContain(key);
    expect(byKey).not.toContain(key.slice(0, 8));
    expect(sink.robotKey(target({ key: 'another-key' }))).not.toBe(byKey);
    expect(sink.robotKey(target({ key }))).toBe(byKey);
  });

  it('should format mentions for the configured message type', () => {
    expect(sink.formatMention('ZhangSan', 'md', target({ key, format: 'markdown' }))).toBe('<@ZhangSan>');
    // Elsewhere nothing inline: `{{mention}}` then prints the person's name, never the internal userid.
    expect(sink.formatMention('ZhangSan', 'txt', target({ key, format: 'text' }))).toBe('');
    expect(sink.formatMention('ZhangSan', 'md', target({ key, format: 'markdown_v2' }))).toBe('');
    expect(sink.formatMention('ZhangSan', 'md', target({ key, format: 'markdown', mentions: false }))).toBe(
      '',
    );
  });

  it('should report each person who can only be mentioned by mobile in markdown, once, without the number', () => {
    const people = [
      { gitee: 'zhangsan', wecom: 'ZhangSan', mobile: '13800000000' },
      { gitee: 'lisi', mobile: '13900000000' },
      { gitee: 'lisi', mobile: '13900000000' },
      { gitee: 'wangwu' },
    ];
    const problems = sink.checkTarget(target({ key, format: 'markdown' }), people);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('WeCom markdown cannot mention by mobile');
    expect(problems[0]).toContain('lisi');
    expect(problems[0]).toContain('sinks.team-a');
    expect(problems[0]).not.toContain('13900000000');
    expect(sink.checkTarget(target({ key, format: 'text' }), people)).toEqual([]);
    expect(sink.checkTarget(target({ key, format: 'markdown', mentions: false }), people)).toEqual([]);
  });

  it('should build the request body for dry runs without the robot URL', () => {
    const message = {
      eventId: 'e',
      eventName: 'gitee.push',
      sink: 'team-a',
      format: 'md' as const,
      text: '# hi',
      fields: {},
      mentions: noMentions,
      summary: 's',
      count: 1,
    };
    const body = sink.toRequestBody(message, target({ key, format: 'markdown_v2' }));
    expect(body).toEqual({ msgtype: 'markdown_v2', markdown_v2: { content: '# hi' } });
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it('should not throw, nor quote the key, when a hand-built target has no robot', async () => {
    const { MemoryLogger } = await import('@hookmux/core');
    const logger = new MemoryLogger();
    const message = {
      eventId: 'e',
      eventName: 'gitee.push',
      sink: 'x',
      format: 'md' as const,
      text: 'hi',
      fields: {},
      mentions: noMentions,
      summary: 's',
      count: 1,
    };
    const result = await sink.send(message, target({}), { logger });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', code: 'config' });
    expect(logger.lines).toHaveLength(1);
  });
});

describe('README', () => {
  it('should show a configuration every section of which the schema accepts', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks.length).toBeGreaterThan(0);
    const validate = new Ajv2020({ allErrors: true }).compile(new WeComSink().configSchema);
    for (const block of blocks) {
      const env: Record<string, string> = {
        WECOM_TEAM_A: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1',
        WECOM_OPS_KEY: 'k2',
      };
      const config = parse(block.replace(/\$\{(\w+)\}/g, (_m, name: string) => env[name] ?? '')) as {
        sinks: Record<string, unknown>;
      };
      const sections = Object.values(config.sinks);
      expect(sections.length).toBeGreaterThan(0);
      for (const section of sections)
        expect({ section, valid: validate(section) }).toEqual({ section, valid: true });
    }
  });
});
