import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, describe, expect, test } from '@jest/globals';

import { buildRenderer, readOwnFixture, receiveGitee, renderBoth } from './helpers/render-gitee.js';

/**
 * The search path is [route dir, user dir (templates.dir), built-ins]. The rule as implemented
 * (TemplateSet.find): folders are tried in that order, and each folder is searched completely —
 * `gitee/<type>.<action>`, `gitee/<type>`, then its own `_default` — before the next folder. So a
 * `_default.<fmt>.hbs` in the user dir is used for EVERY event (of that format) that the route
 * dir and the user dir have no more specific template for, even when the built-ins have one: a
 * user `_default` shadows all built-ins of its format. Formats are looked up separately.
 */
const root = mkdtempSync(join(tmpdir(), 'hookmux-lookup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeTemplate(dir: string, name: string, body: string): void {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body);
}

const routeDir = join(root, 'route');
const userDir = join(root, 'user');
writeTemplate(routeDir, 'gitee/push.md.hbs', 'ROUTE push {{refName}}');
writeTemplate(userDir, 'gitee/push.md.hbs', 'USER push {{refName}}');
writeTemplate(userDir, 'gitee/issue.open.md.hbs', 'USER issue.open #{{issue.number}}');
writeTemplate(userDir, '_default.md.hbs', 'USER default {{event.name}}');

const renderer = buildRenderer({ userDir, extraDirs: [routeDir] });
const builtinOnly = buildRenderer();

describe('template lookup order', () => {
  test('a route dir gitee/push.md.hbs wins over the user dir and the built-in', async () => {
    const event = await receiveGitee(readOwnFixture('push-25-commits.json'));
    const { md, txt } = renderBoth(renderer, event, routeDir);
    expect(md.text).toBe('ROUTE push main');
    // The route dir has no push.txt.hbs and the user dir no txt at all: text falls to the built-in.
    expect(txt.text).toContain('推送到了');
  });

  test('without the route dir, the user dir wins over the built-in', async () => {
    const event = await receiveGitee(readOwnFixture('push-25-commits.json'));
    expect(renderBoth(renderer, event).md.text).toBe('USER push main');
    expect(renderBoth(builtinOnly, event).md.text).toContain('推送到了');
  });

  test('an action-specific user template wins over the user _default', async () => {
    const event = await receiveGitee(readOwnFixture('issue-open.json'));
    expect(renderBoth(renderer, event).md.text).toBe('USER issue.open #I9XK2P');
  });

  test('the user _default is used for an event the user dir has nothing specific for, shadowing the built-in specific one', async () => {
    const event = await receiveGitee(readOwnFixture('pr-merge.json'));
    expect(renderBoth(renderer, event).md.text).toBe('USER default gitee.merge_request.merge');
    // ...and the same event without a user dir gets the built-in merge_request.merge template.
    expect(renderBoth(builtinOnly, event).md.text).toContain('合并了');
  });

  test('formats are looked up separately: the user dir has no .txt templates, so text uses the built-ins', async () => {
    const event = await receiveGitee(readOwnFixture('pr-merge.json'));
    expect(renderBoth(renderer, event).txt.text).toBe(renderBoth(builtinOnly, event).txt.text);
  });

  test('within the built-ins: <type>.<action> first, then <type>, then _default', async () => {
    const merge = await receiveGitee(readOwnFixture('pr-merge.json'));
    // An action the built-ins have no file for falls back to gitee/merge_request.md.hbs...
    const unknownAction = { ...merge, action: 'frobnicate', name: 'gitee.merge_request.frobnicate' };
    expect(renderBoth(builtinOnly, unknownAction).md.text).toContain('（frobnicate）');
    // ...and an event of a source with no folder at all to _default.
    const other = {
      ...merge,
      source: 'gitlab',
      type: 'pipeline',
      action: 'success',
      name: 'gitlab.pipeline.success',
      summary: 'pipeline #7 passed',
    };
    const { md, txt } = renderBoth(builtinOnly, other);
    expect(md.text).toBe(
      `**pipeline #7 passed**\n<font color="comment">gitlab.pipeline.success · ${merge.repo ?? ''}</font>\n\n[查看详情](https://gitee.com/lanting-lab/yunque-api/pulls/42)`,
    );
    expect(txt.text).toBe(
      `pipeline #7 passed\n（gitlab.pipeline.success · ${merge.repo ?? ''}）\n查看：https://gitee.com/lanting-lab/yunque-api/pulls/42`,
    );
    expect(md.fields).toEqual({
      title: 'pipeline #7 passed',
      description: `gitlab.pipeline.success · ${merge.repo ?? ''}`,
      url: 'https://gitee.com/lanting-lab/yunque-api/pulls/42',
    });
  });
});
