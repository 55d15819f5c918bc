import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const english = readFileSync(join(repo, 'README.md'), 'utf8');
const chinese = readFileSync(join(repo, 'README.zh-CN.md'), 'utf8');

/**
 * README.md's `##` sections and their twins in README.zh-CN.md, in order. A new English section
 * needs its Chinese twin here and in README.zh-CN.md (same place, same code blocks).
 */
const twins: ReadonlyArray<readonly [string, string]> = [
  ['Set-up (two commands)', '安装运行（两条命令）'],
  ['Point Gitee at it', '在 Gitee 中配置'],
  ['Configure', '配置'],
  ['Edit a message', '修改消息'],
  ['Commands', '命令'],
  ['HTTP endpoints', 'HTTP 接口'],
  ['Other tools in, other robots out', '其他工具接入，其他机器人输出'],
  ['Delivery', '投递'],
  ['Run it for months', '长期运行'],
  ['Scale out', '横向扩展'],
  ['Install and run as a service', '安装为服务'],
  ['Benchmarks', '性能测试'],
  ['Write a plugin', '编写插件'],
  ['Layout', '目录结构'],
];

interface Section {
  readonly title: string;
  readonly body: string;
}

/** `##` sections (a `###` stays inside its section); fenced blocks are skipped when looking for headings. */
function sections(text: string): Section[] {
  const out: Array<{ title: string; lines: string[] }> = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^## (.+)$/.exec(line);
    if (heading) out.push({ title: heading[1] ?? '', lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out.map((s) => ({ title: s.title, body: s.lines.join('\n') }));
}

function codeBlocks(body: string): string[] {
  return [...body.matchAll(/^```[a-z]*\n[\s\S]*?^```$/gm)].map((m) => m[0]);
}

describe('README.zh-CN.md is the Chinese twin of README.md', () => {
  const en = sections(english);
  const zh = sections(chinese);

  it('has the same ## sections in the same order (through the table of twins)', () => {
    expect(en.map((s) => s.title)).toEqual(twins.map(([e]) => e));
    expect(zh.map((s) => s.title)).toEqual(twins.map(([, z]) => z));
  });

  it('carries the same code blocks (commands, configs) in each section, so the tests of one run the other', () => {
    for (const [index, section] of en.entries()) {
      expect({ section: section.title, blocks: codeBlocks(zh[index]?.body ?? '') }).toEqual({
        section: section.title,
        blocks: codeBlocks(section.body),
      });
    }
  });

  it('links each other, and the Chinese text is Chinese', () => {
    expect(english).toContain('(README.zh-CN.md)');
    expect(chinese).toContain('(README.md)');
    for (const section of zh) {
      const prose = section.body.replace(/^```[\s\S]*?^```$/gm, '');
      expect({ section: section.title, chinese: /[\u4e00-\u9fff]/.test(prose) }).toEqual({
        section: section.title,
        chinese: true,
      });
    }
  });
});
