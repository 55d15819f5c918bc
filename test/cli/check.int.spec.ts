import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { runCliCapture } from '../helpers/run-cli-capture.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function configDir(yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-check-'));
  writeFileSync(join(dir, 'hookmux.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('hookmux check', () => {
  it('accepts the example config', async () => {
    const run = await runCliCapture(['check', '-c', join(repo, 'core/config/hookmux.example.yaml')]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^ok: .*1 source\(s\), 1 sink\(s\), 1 route\(s\)/);
  });

  it('exits 1 naming the line of a YAML syntax error', async () => {
    const run = await runCliCapture(['check', '-c', join(repo, 'test/fixtures/config/malformed-yaml.yaml')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/HM_ERR_CFG_YAML/);
    expect(run.err).toMatch(/:\d+/);
  });

  it('lists every problem of a config at once: unknown sink, missing env var, bad template, unknown sink type', async () => {
    const dir = configDir(
      `
sources:
  gitee: { secret: "\${GITEE_SECRET_NOT_SET}" }
sinks:
  team-a: { type: wecom, webhook: "http://127.0.0.1:9/cgi-bin/webhook/send?key=k" }
  pager: { type: pagerduty }
templates: { dir: ./tpl }
routes:
  - when: { source: gitee }
    to: [team-a, team-b]
`,
      { 'tpl/gitee/push.md.hbs': 'ok\n{{#each commits}}\n' },
    );
    const run = await runCliCapture(['check', '-c', join(dir, 'hookmux.yaml')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('sources.gitee.secret: environment variable GITEE_SECRET_NOT_SET is not set');
    expect(run.err).toContain('routes[0].to[1]: no sink named "team-b"');
    expect(run.out).toBe('');
  });

  it('reports a template syntax error with file and line, and an unknown sink type', async () => {
    const dir = configDir(
      `
sources:
  gitee: { secret: s3cret-value }
sinks:
  team-a: { type: wecom, webhook: "http://127.0.0.1:9/cgi-bin/webhook/send?key=k" }
  pager: { type: pagerduty }
templates: { dir: ./tpl }
routes:
  - when: { source: gitee }
    to: [team-a]
`,
      { 'tpl/gitee/push.md.hbs': 'ok\n{{#each commits}}\n' },
    );
    const run = await runCliCapture(['check', '-c', join(dir, 'hookmux.yaml')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`${join(dir, 'tpl/gitee/push.md.hbs')}:3`);
    expect(run.err).toContain('HM_ERR_TPL_SYNTAX');
    expect(run.err).toMatch(/sinks\.pager\.type: .*HM_ERR_PLUGIN_NO_SINK_TYPE/);
    expect(run.err).not.toContain('s3cret-value');
  });

  it('exits 2 on wrong usage', async () => {
    expect((await runCliCapture(['check', '--nope'])).code).toBe(2);
    expect((await runCliCapture(['frobnicate'])).code).toBe(2);
  });
});
