import { runInNewContext } from 'node:vm';

import { describe, expect, it } from '@jest/globals';

import { weComMarkdownScript } from './wecom-markdown-script.js';

// The page's own code, run as is in a bare context (it must need no globals).
const render = runInNewContext(`${weComMarkdownScript}; renderWeComMarkdown`) as (md: string) => string;

describe('renderWeComMarkdown (the admin page preview)', () => {
  it.each([
    ['# Title', '<h1>Title</h1>'],
    ['### 张三 pushed', '<h3>张三 pushed</h3>'],
    ['**bold** and `code`', '<p><strong>bold</strong> and <code>code</code></p>'],
    [
      '[acme/widget](https://gitee.com/acme/widget)',
      '<p><a href="https://gitee.com/acme/widget" target="_blank" rel="noopener noreferrer">acme/widget</a></p>',
    ],
    [
      '<font color="info">ok</font> <font color=warning>**late**</font>',
      '<p><span class="md-info">ok</span> <span class="md-warning"><strong>late</strong></span></p>',
    ],
    ['hi <@zhangsan>', '<p>hi <span class="md-mention">@zhangsan</span></p>'],
    ['> one\n> two', '<blockquote>one<br>two</blockquote>'],
    ['a\nb\n\nc', '<p>a<br>b</p><p>c</p>'],
  ])('%p', (markdown, html) => {
    expect(render(markdown)).toBe(html);
  });

  it.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['<img src=x onerror=alert(1)>', '<p>&lt;img src=x onerror=alert(1)&gt;</p>'],
    ['[click](javascript:alert(1))', '<p>[click](javascript:alert(1))</p>'],
    [
      '[x](https://a.example/"onmouseover="alert(1))',
      '<p><a href="https://a.example/&quot;onmouseover=&quot;alert(1" target="_blank" rel="noopener noreferrer">x</a>)</p>',
    ],
    ['<font color="red">x</font>', '<p>&lt;font color=&quot;red&quot;&gt;x&lt;/font&gt;</p>'],
    ['`<b>`', '<p><code>&lt;b&gt;</code></p>'],
    ['<@a"b>', '<p><span class="md-mention">@a&quot;b</span></p>'],
  ])('escapes %p', (markdown, html) => {
    expect(render(markdown)).toBe(html);
  });
});
