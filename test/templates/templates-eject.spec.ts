import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, expect, test } from '@jest/globals';

import type { CliIo } from '../../core/src/cli/cli-io.js';
import { runTemplatesEjectCommand } from '../../core/src/cli/commands/templates-eject.js';
import {
  builtinDir,
  buildRenderer,
  readOwnFixture,
  receiveGitee,
  renderBoth,
} from './helpers/render-gitee.js';

const root = mkdtempSync(join(tmpdir(), 'hookmux-eject-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test('eject, edit one file, point templates.dir at it: that message changes, the others do not, no rebuild', async () => {
  const out = new PassThrough();
  const io: CliIo = { out, err: new PassThrough(), isTTY: false, env: {}, cwd: root };
  expect(runTemplatesEjectCommand('my-templates', false, io)).toBe(0);
  const userDir = join(root, 'my-templates');
  expect(listAll(userDir)).toEqual(listAll(builtinDir));
  expect(String(out.read())).toContain('templates.dir: my-templates');

  // The edit a user would make: a shorter push message with an emoji.
  const file = join(userDir, 'gitee', 'push.md.hbs');
  const edited = readFileSync(file, 'utf8').replace(
    '{{/if}} 推送到了 {{#link',
    '{{/if}} 🚀 又推送到了 {{#link',
  );
  expect(edited).not.toBe(readFileSync(file, 'utf8'));
  writeFileSync(file, edited);

  const before = buildRenderer();
  const after = buildRenderer({ userDir });
  const push = await receiveGitee(readOwnFixture('push-25-commits.json'));
  expect(renderBoth(after, push).md.text).toBe(
    renderBoth(before, push).md.text.replace('推送到了', '🚀 又推送到了'),
  );
  expect(renderBoth(after, push).txt.text).toBe(renderBoth(before, push).txt.text);

  for (const other of [
    'push-branch-create.json',
    'issue-open.json',
    'pr-merge.json',
    'note-pr-comment.json',
  ]) {
    const event = await receiveGitee(readOwnFixture(other));
    expect(renderBoth(after, event)).toEqual(renderBoth(before, event));
  }
});
