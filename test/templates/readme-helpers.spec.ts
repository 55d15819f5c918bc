import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, test } from '@jest/globals';
import Handlebars from 'handlebars';

import { escapeHelperName, escapeValue, templateHelpers } from '../../core/src/templates/template-helpers.js';
import { parseEscaped } from '../../core/src/templates/template-set.js';
import { builtinDir } from './helpers/render-gitee.js';

/**
 * Every helper example in templates/README.md, run against the push the README describes, compiled
 * the way TemplateSet compiles (every `{{value}}` escaped, markdown dialect).
 */
const readme = readFileSync(join(builtinDir, 'README.md'), 'utf8');
const block = /<!-- helper-examples:start -->([\s\S]*?)<!-- helper-examples:end -->/.exec(readme)?.[1] ?? '';
const rows = [...block.matchAll(/^\| `(.+)` \| `(.*)` \|$/gm)].map((m) => [m[1]!, m[2]!] as const);

const message = '修复登录跳转 🐛\n\n详细说明：登录成功后跳回原页面';
const commit = {
  id: '9921e45e570db8e57e544650baf837932fb2100f',
  shortId: '9921e45',
  title: '修复登录跳转 🐛',
  message,
  timestamp: '2021-10-08T17:53:12+08:00',
};
const context = {
  repo: { fullName: 'kit101/drone-yml-test', defaultBranch: 'master' },
  branch: 'feat-2-1',
  after: commit.id,
  created: false,
  deleted: false,
  commits: [commit],
  headCommit: commit,
  commitCount: 1,
  payload: { head_commit: { message } },
};

const handlebars = Handlebars.create();
for (const [name, helper] of Object.entries(templateHelpers)) handlebars.registerHelper(name, helper);
handlebars.registerHelper(escapeHelperName, escapeValue);

test('the README lists helper examples', () => {
  expect(rows.length).toBeGreaterThanOrEqual(15);
});

test.each(rows)('%s → %s', (template, expected) => {
  const render = handlebars.compile(parseEscaped(template), {
    noEscape: true,
    knownHelpersOnly: true,
    knownHelpers: Object.fromEntries(
      [...Object.keys(templateHelpers), escapeHelperName].map((n) => [n, true]),
    ),
  });
  expect(render(context)).toBe(expected);
});
