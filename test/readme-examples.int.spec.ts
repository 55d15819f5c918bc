import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { buildPushBody } from './helpers/gitee-push.js';
import { runCliCapture } from './helpers/run-cli-capture.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');

/** The fenced block of a language that follows a heading. */
function blockAfter(heading: string, lang: string): string {
  const from = readme.indexOf(heading);
  if (from < 0) throw new Error(`README has no "${heading}"`);
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme.slice(from));
  if (!match?.[1]) throw new Error(`no ${lang} block after "${heading}"`);
  return match[1];
}

describe('README examples', () => {
  it('the minimal config under "Configure" passes hookmux check once its variables are set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-'));
    writeFileSync(join(dir, 'hookmux.yaml'), blockAfter('## Configure', 'yaml'));
    const env = {
      GITEE_WEBHOOK_SECRET: 'readme-secret-value',
      WECOM_TEAM_A: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=readme-key-a',
      WECOM_OPS_KEY: 'readme-key-ops',
    };
    const run = await runCliCapture(['check', '-c', join(dir, 'hookmux.yaml')], { env });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('1 source(s), 2 sink(s), 2 route(s)');
    // and without them, each missing variable is named
    const bare = await runCliCapture(['check', '-c', join(dir, 'hookmux.yaml')]);
    expect(bare.code).toBe(1);
    for (const name of Object.keys(env))
      expect(bare.err).toContain(`environment variable ${name} is not set`);
  });

  it('the minimal config forwards an ordinary push to main (gitee.push.update) and says why a dev push goes nowhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-push-'));
    writeFileSync(join(dir, 'hookmux.yaml'), blockAfter('## Configure', 'yaml'));
    const env = {
      GITEE_WEBHOOK_SECRET: 'readme-secret-value',
      WECOM_TEAM_A: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=readme-key-a',
      WECOM_OPS_KEY: 'readme-key-ops',
    };
    const render = async (branch: string): Promise<{ code: number; out: string; err: string }> => {
      const file = join(dir, `push-${branch}.json`);
      writeFileSync(file, JSON.stringify(buildPushBody({ repo: 'acme/widget', branch })));
      return runCliCapture(['render', '-c', join(dir, 'hookmux.yaml'), '--source', 'gitee', file], { env });
    };
    const main = await render('main');
    expect(main.code).toBe(0);
    const output = JSON.parse(main.out) as { event: string; deliveries: { route: string; sink: string }[] };
    expect(output.event).toBe('gitee.push.update');
    expect(output.deliveries.map((d) => `${d.route} → ${d.sink}`)).toEqual([
      'acme-main → team-a',
      'acme-main → ops',
    ]);
    const dev = await render('dev');
    expect(dev.code).toBe(0);
    expect((JSON.parse(dev.out) as { deliveries: unknown[] }).deliveries).toEqual([]);
    expect(dev.err).toContain('routes[0] (acme-main): branch "dev" not in [main, release/**]');
    expect(dev.err).toContain('routes[1]: event "gitee.push.update" not in [issue]');
  });

  it('the "Edit a message" steps change that message, with no code change', async () => {
    const steps = blockAfter('## Edit a message', 'sh');
    expect(steps).toContain('npx hookmux templates eject ./my-templates');
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-edit-'));
    // 1. eject
    const eject = await runCliCapture(['templates', 'eject', './my-templates'], { cwd: dir });
    expect(eject.code).toBe(0);
    // 2. edit the push message
    writeFileSync(
      join(dir, 'my-templates/gitee/push.md.hbs'),
      '**{{repo.fullName}}** 收到 {{plural commitCount "commit"}}',
    );
    // 3. point the config at it (as the comment in the README says)
    writeFileSync(
      join(dir, 'hookmux.yaml'),
      `templates: { dir: ./my-templates }
storage: { type: memory }
sources: { gitee: { secret: readme-edit-secret } }
sinks: { team-a: { type: wecom, webhook: "http://127.0.0.1:9/cgi-bin/webhook/send?key=k" } }
routes: [{ when: { event: push }, to: team-a }]
`,
    );
    // 4. check compiles them
    expect((await runCliCapture(['check', '-c', join(dir, 'hookmux.yaml')])).code).toBe(0);
    // 5. render previews the edited message
    writeFileSync(join(dir, 'payload.json'), JSON.stringify(buildPushBody({ repo: 'acme/widget' })));
    const render = await runCliCapture(
      [
        'render',
        '-c',
        join(dir, 'hookmux.yaml'),
        '--source',
        'gitee',
        '--event',
        'Push Hook',
        join(dir, 'payload.json'),
      ],
      { cwd: dir },
    );
    expect(render.code).toBe(0);
    const output = JSON.parse(render.out) as {
      deliveries: Array<{ body: { markdown: { content: string } } }>;
    };
    expect(output.deliveries[0]?.body.markdown.content).toBe('**acme/widget** 收到 1 commit');
  });
});
