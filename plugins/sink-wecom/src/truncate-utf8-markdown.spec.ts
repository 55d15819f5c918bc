import { describe, expect, it } from '@jest/globals';

import { byteLength, truncateUtf8Markdown, truncationMarker } from './truncate-utf8-markdown.js';

const url = 'https://gitee.example/acme/widgets/compare/abc...def';

/** No lone surrogate: a cut inside a pair leaves one behind. */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function expectValidCut(result: string, original: string, limit: number): void {
  expect(byteLength(result)).toBeLessThanOrEqual(limit);
  expect(isWellFormed(result)).toBe(true);
  expect(result).not.toBe(original);
}

describe('truncateUtf8Markdown', () => {
  it('should return text that fits unchanged, even exactly at the limit', () => {
    const text = '中'.repeat(10);
    expect(truncateUtf8Markdown(text, 30, { style: 'markdown', url })).toBe(text);
    expect(truncateUtf8Markdown('', 0, { style: 'text' })).toBe('');
  });

  it('should cut Chinese on a character boundary and end with the marker and a markdown link', () => {
    const text = '提交信息很长'.repeat(1000);
    const result = truncateUtf8Markdown(text, 4096, { style: 'markdown', url });
    expectValidCut(result, text, 4096);
    expect(result.endsWith(`${truncationMarker}\n[查看全文](${url})`)).toBe(true);
    const head = result.slice(0, result.indexOf(truncationMarker));
    expect(text.startsWith(head)).toBe(true);
    // Nearly the whole budget is used: a cut that throws text away needlessly is a bug too.
    expect(byteLength(result)).toBeGreaterThan(4096 - 3);
  });

  it('should end text-style cuts with `全文: url`', () => {
    const text = '广州今日天气：29度，大部分多云。'.repeat(200);
    const result = truncateUtf8Markdown(text, 2048, { style: 'text', url });
    expectValidCut(result, text, 2048);
    expect(result.endsWith(`${truncationMarker}\n全文: ${url}`)).toBe(true);
  });

  it('should end with the marker alone when there is no url', () => {
    const result = truncateUtf8Markdown('a'.repeat(100), 10, { style: 'text' });
    expect(result).toBe(`${'a'.repeat(7)}${truncationMarker}`);
  });

  it('should drop the link, keeping the marker, when the link alone would not fit', () => {
    const result = truncateUtf8Markdown('中'.repeat(100), 40, { style: 'markdown', url });
    expect(result).toBe(`${'中'.repeat(12)}${truncationMarker}`);
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('should never split a 4-byte emoji (limit offset %i)', (offset) => {
    const text = '😀'.repeat(2000);
    const limit = 4096 - offset;
    const result = truncateUtf8Markdown(text, limit, { style: 'markdown' });
    expectValidCut(result, text, limit);
    expect(result.replace(truncationMarker, '')).toMatch(/^(?:😀)+$/u);
  });

  it('should keep emoji sequences (family ZWJ, flags, skin tones) whole', () => {
    const text = '👨‍👩‍👧‍👦🇨🇳👍🏽'.repeat(300);
    for (let limit = 40; limit < 80; limit++) {
      const result = truncateUtf8Markdown(text, limit, { style: 'text' });
      expectValidCut(result, text, limit);
      const head = result.slice(0, -truncationMarker.length);
      expect(head.replace(/(?:👨‍👩‍👧‍👦|🇨🇳|👍🏽)/gu, '')).toBe('');
    }
  });

  it('should not cut inside a markdown link that straddles the limit', () => {
    const link = '[合并请求 !42 修复登录超时](https://gitee.example/acme/widgets/pulls/42)';
    const text = `${'前'.repeat(1300)}${link}${'后'.repeat(200)}`;
    const before = byteLength('前'.repeat(1300));
    // The limit falls inside the link, or just past it with no room left for the marker.
    const linkBytes = byteLength(link);
    for (const limit of [
      before + 1,
      before + 20,
      before + Math.floor(linkBytes / 2),
      before + linkBytes + 2,
    ]) {
      const result = truncateUtf8Markdown(text, limit, { style: 'markdown' });
      expectValidCut(result, text, limit);
      expect(result).not.toContain('[合并请求');
      expect(result.endsWith(truncationMarker)).toBe(true);
    }
    // With room for the whole link, it is kept whole.
    const roomy = truncateUtf8Markdown(text, before + byteLength(link) + 3, { style: 'markdown' });
    expect(roomy).toContain(link);
  });

  it('should not cut inside a <font> span that straddles the limit, and leave no tag half-open', () => {
    const span = '<font color="warning">构建失败：单元测试 3 个失败</font>';
    const text = `${'状态'.repeat(600)}${span}${'尾'.repeat(100)}`;
    const start = byteLength('状态'.repeat(600));
    for (let limit = start + 1; limit < start + byteLength(span); limit += 7) {
      const result = truncateUtf8Markdown(text, limit, { style: 'markdown', url });
      expectValidCut(result, text, limit);
      expect(result).not.toMatch(/<font|<\/font|<fo|<f$/);
      expect(result).toMatch(/…\n\[查看全文\]\([^)]+\)$/);
    }
  });

  it('should keep nested markup whole: a link inside a font span', () => {
    const span = '<font color="info">[部署成功](https://ci.example/run/9)</font>';
    const text = `${'x'.repeat(100)}${span}${'y'.repeat(100)}`;
    const result = truncateUtf8Markdown(text, 100 + 30, { style: 'markdown' });
    expect(result).toBe(`${'x'.repeat(100)}${truncationMarker}`);
  });

  it('should not cut inside a <@userid> mention, in markdown and in text', () => {
    const text = `${'a'.repeat(50)}<@ZhangSan>${'b'.repeat(50)}`;
    for (const style of ['markdown', 'text'] as const) {
      const result = truncateUtf8Markdown(text, 56, { style });
      expect(result).toBe(`${'a'.repeat(50)}${truncationMarker}`);
    }
  });

  it('should not leave bold or inline code half-open', () => {
    const bold = `${'a'.repeat(20)} **重要的说明文字** ${'c'.repeat(50)}`;
    const boldResult = truncateUtf8Markdown(bold, 30, { style: 'markdown' });
    expect(boldResult).toBe(`${'a'.repeat(20)}${truncationMarker}`);
    const code = `${'a'.repeat(20)} \`npm run build --workspaces\` ${'c'.repeat(50)}`;
    expect(truncateUtf8Markdown(code, 34, { style: 'markdown' })).toBe(
      `${'a'.repeat(20)}${truncationMarker}`,
    );
  });

  it('should not leave an unclosed opener whose closing part was never written', () => {
    const text = `${'a'.repeat(20)}<font color="info">${'b'.repeat(100)}`;
    expect(truncateUtf8Markdown(text, 60, { style: 'markdown' })).toBe(
      `${'a'.repeat(20)}${truncationMarker}`,
    );
  });

  it('should prefer ending on a whole line when that costs little', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `- 提交 ${i}: 修复问题`).join('\n');
    const result = truncateUtf8Markdown(lines, 1000, { style: 'markdown' });
    expectValidCut(result, lines, 1000);
    const head = result.slice(0, -truncationMarker.length);
    expect(lines.startsWith(`${head}\n`)).toBe(true);
  });

  it('should keep within the limit for random mixes of scripts, emoji and markup', () => {
    const pieces = [
      '中',
      '😀',
      'a',
      '\n',
      '<font color="info">好</font>',
      '[l](https://x.example/1)',
      '<@u1>',
      '**b**',
      '👍🏽',
      'é',
    ];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: 50 + (next() % 400) }, () => pieces[next() % pieces.length]).join('');
      const limit = 10 + (next() % 300);
      const result = truncateUtf8Markdown(text, limit, {
        style: round % 2 === 0 ? 'markdown' : 'text',
        url: round % 3 === 0 ? url : undefined,
      });
      expect(byteLength(result)).toBeLessThanOrEqual(limit);
      expect(isWellFormed(result)).toBe(true);
      if (byteLength(text) > limit) expect(result).toMatch(/…(\n.*)?$/);
      else expect(result).toBe(text);
    }
  });
});
