import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { runCliCapture } from '../helpers/run-cli-capture.js';

/** A config with one sink and the given routes (YAML lines under `routes:`), plus template files. */
function configWith(routes: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-check-errors-'));
  writeFileSync(
    join(dir, 'hookmux.yaml'),
    `sources:
  gitee: { secret: s3cret-value }
sinks:
  team-a: { type: console }
templates: { dir: ./tpl }
routes:
${routes}
`,
  );
  mkdirSync(join(dir, 'tpl'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'tpl', name)), { recursive: true });
    writeFileSync(join(dir, 'tpl', name), text);
  }
  return join(dir, 'hookmux.yaml');
}

interface Row {
  readonly wrong: string;
  readonly routes: string;
  readonly files?: Record<string, string>;
  /** 1: refused; 0: accepted with a warning. */
  readonly code: 0 | 1;
  /** Key path (or file) the answer starts with, and the suggestion it gives. */
  readonly at: string;
  readonly suggestion: string;
}

// The check-errors table: each wrong filter, answered with its key path and a suggestion.
const table: Row[] = [
  {
    wrong: 'event: pull_request',
    routes: '  - { when: { source: gitee, event: pull_request }, to: team-a }',
    code: 1,
    at: 'routes[0].when.event: no event "pull_request" from gitee',
    suggestion: 'did you mean "merge_request"?',
  },
  {
    wrong: 'event: issues',
    routes: '  - { when: { source: gitee, event: issues }, to: team-a }',
    code: 1,
    at: 'routes[0].when.event: no event "issues" from gitee',
    suggestion: 'did you mean "issue"?',
  },
  {
    wrong: 'source: gittee',
    routes: '  - { when: { source: gittee, event: push }, to: team-a }',
    code: 1,
    at: 'routes[0].when.source: no source "gittee" is loaded',
    suggestion: 'did you mean "gitee"?',
  },
  {
    wrong: 'action: opened',
    routes: '  - { when: { source: gitee, event: merge_request, action: opened }, to: team-a }',
    code: 1,
    at: 'routes[0].when.action: no action "opened" for merge_request',
    suggestion: 'did you mean "open"?',
  },
  {
    wrong: 'branch: release/[0-9',
    routes: '  - { when: { source: gitee, event: push, branch: "release/[0-9" }, to: team-a }',
    code: 1,
    at: 'routes[0].when.branch: "release/[0-9" is not a valid glob',
    suggestion: '"release/[0-9]"',
  },
  {
    wrong: 'branch: ^release/.*$',
    routes: '  - { when: { source: gitee, event: push, branch: "^release/.*$" }, to: team-a }',
    code: 0,
    at: 'routes[0].when.branch: "^release/.*$" looks like a regular expression',
    suggestion: 'did you mean "release/**"?',
  },
  {
    wrong: 'template pusj.md.hbs',
    routes: '  - { when: { source: gitee, event: push }, to: team-a }',
    files: { 'gitee/pusj.md.hbs': 'push {{repo.name}}\n' },
    code: 0,
    at: 'gitee/pusj.md.hbs: matches no gitee event, so it is never used',
    suggestion: 'did you mean push.md.hbs?',
  },
  {
    wrong: 'a route shadowed for (event, sink)',
    routes: [
      '  - { name: all-pushes, when: { source: gitee, event: push }, to: team-a }',
      '  - { name: main-pushes, when: { source: gitee, event: push.update, branch: main }, to: team-a }',
    ].join('\n'),
    code: 0,
    at: 'routes[1] (main-pushes): never sends to "team-a"',
    suggestion: 'through routes[0] (all-pushes), which comes first',
  },
];

describe('hookmux check: filters that can never match (the check-errors table)', () => {
  it.each(table)('$wrong', async (row) => {
    const run = await runCliCapture(['check', '-c', configWith(row.routes, row.files)]);
    const line = run.err.split('\n').find((l) => l.includes(row.at));
    expect({ code: run.code, line }).toEqual({
      code: row.code,
      line: expect.stringContaining(row.suggestion),
    });
    if (row.code === 1) expect(run.err).toMatch(/HM_ERR_CFG_(NEVER_MATCHES|BAD_GLOB)/);
    else expect(run.out).toMatch(/^ok: /);
  });

  it('accepts the right spellings without a word', async () => {
    const run = await runCliCapture([
      'check',
      '-c',
      configWith(
        [
          '  - { when: { source: gitee, event: [merge_request, issue], action: [open, "!close"] }, to: team-a }',
          '  - { when: { source: "gitee", event: push, branch: ["release/[0-9]*", "main"] }, to: team-a }',
          '  - { when: { source: [dingtalk, feishu], event: message, action: [text, post] }, to: team-a }',
        ].join('\n'),
        {
          'gitee/push.md.hbs': 'push\n',
          'gitee/merge_request.open.txt.hbs': 'mr\n',
          'gitee/_partial.md.hbs': 'x',
        },
      ),
    ]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
  });

  it('takes storage types from the loaded queue plugins, with a did-you-mean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-check-storage-'));
    const yaml = (type: string): string =>
      `storage: { type: ${type}, url: "redis://127.0.0.1:9/0" }\nsinks: { a: { type: console } }\nroutes: [{ when: { source: gitee }, to: a }]\n`;
    writeFileSync(join(dir, 'typo.yaml'), yaml('rediss'));
    const typo = await runCliCapture(['check', '-c', join(dir, 'typo.yaml')]);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain(
      'storage.type: no queue plugin provides storage type "rediss" (did you mean "redis"?',
    );
    expect(typo.err).toContain('HM_ERR_PLUGIN_NO_STORAGE_TYPE');
    writeFileSync(join(dir, 'redis.yaml'), yaml('redis'));
    const redis = await runCliCapture(['check', '-c', join(dir, 'redis.yaml')]);
    expect(redis.err).toBe('');
    expect(redis.code).toBe(0);
  });

  it('shows the warnings beside the errors, not only when there are none', async () => {
    const run = await runCliCapture([
      'check',
      '-c',
      configWith(
        [
          '  - { when: { source: gitee, event: pull_request }, to: team-a }',
          '  - { when: { source: gitee, event: push, branch: "^release/.*$" }, to: team-a }',
        ].join('\n'),
      ),
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('✗ routes[0].when.event: no event "pull_request" from gitee');
    expect(run.err).toMatch(/! routes\[1\]\.when\.branch: .*did you mean "release\/\*\*"\?/);
  });

  it('refuses filters that are each known but together let nothing through', async () => {
    const run = await runCliCapture([
      'check',
      '-c',
      configWith('  - { when: { source: gitee, event: issue, action: merge }, to: team-a }'),
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('routes[0].when.action: no action "merge" for issue');
  });
});
