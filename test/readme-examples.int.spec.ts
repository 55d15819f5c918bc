import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { freePort } from './helpers/free-port.js';
import { buildPushBody } from './helpers/gitee-push.js';
import { runCliCapture } from './helpers/run-cli-capture.js';
import { waitFor } from './helpers/start-test-hookmux.js';

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

/** Every fenced `sh` block of the README, in order. */
function shBlocks(): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/** `npx hookmux a "b c" # note` → ['a', 'b c']. */
function hookmuxArgs(line: string): string[] {
  const command = line.replace(/\s+#.*$/, '').replace(/^npx hookmux\s*/, '');
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** What `npx hookmux` runs in a clone: the workspace bin npm linked at `npm ci`. */
const cloneBin = join(repo, 'node_modules/.bin/hookmux');
const shellEnv = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir() };

function runBin(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cloneBin, args, {
      cwd,
      env: { ...shellEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

describe('every README command, from a fresh clone', () => {
  it('npx hookmux is the committed shim of the app workspace, linked at npm ci', async () => {
    expect(realpathSync(cloneBin)).toBe(join(repo, 'app/bin/hookmux.js'));
    const version = (JSON.parse(readFileSync(join(repo, 'app/package.json'), 'utf8')) as { version: string })
      .version;
    const npx = await new Promise<string>((resolve, reject) => {
      const child = spawn('npx', ['--no', '--', 'hookmux', '--version'], { cwd: repo, env: shellEnv });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.once('error', reject);
      child.once('exit', () => resolve(out));
    });
    expect(npx.trim()).toBe(version);
  }, 30_000);

  it('runs each `npx hookmux` line outside "Install and run as a service" on the minimal config, exit 0', async () => {
    const install = readme.indexOf('## Install and run as a service');
    const before = readme.slice(0, install);
    const lines = [...before.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((m) => (m[1] ?? '').split('\n'))
      .filter((l) => l.startsWith('npx hookmux '));
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-all-'));
    writeFileSync(join(dir, 'hookmux.yaml'), blockAfter('## Configure', 'yaml'));
    writeFileSync(join(dir, 'payload.json'), JSON.stringify(buildPushBody({ repo: 'acme/widget' })));
    const env = {
      GITEE_WEBHOOK_SECRET: 'readme-secret-value',
      WECOM_TEAM_A: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=readme-key-a',
      WECOM_OPS_KEY: 'readme-key-ops',
    };
    for (const line of lines) {
      const run = await runBin(hookmuxArgs(line), dir, env);
      expect({ line, code: run.code, err: run.err }).toEqual({ line, code: 0, err: '' });
    }
    // and the backup line of the service section, on the outbox those commands opened
    const backup = shBlocks()
      .flatMap((b) => b.split('\n'))
      .find((l) => l.startsWith('npx hookmux backup '));
    expect(backup).toBeDefined();
    const saved = await runBin(hookmuxArgs(backup ?? ''), dir, env);
    expect({ code: saved.code, err: saved.err }).toEqual({ code: 0, err: '' });
  }, 90_000);

  it('"Install and run as a service": the npm steps are those the pack-and-install test runs; init, check, serve and the admin API answer', async () => {
    const block = blockAfter('## Install and run as a service', 'sh');
    const npmSteps = block
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, ''))
      .filter((l) => l.startsWith('npm ') || l.startsWith('mkdir ') || l.startsWith('rm '));
    // test/packaging/pack-install.int.spec.ts: npm pack --workspaces into a folder, an empty
    // folder with a package.json, npm install of the tarballs but @hookmux/testing's there (it adds
    // cache flags).
    expect(npmSteps).toEqual([
      'npm ci && npm run build',
      'npm pack --workspaces --pack-destination ../hookmux-tarballs',
      'rm ../hookmux-tarballs/hookmux-testing-*.tgz',
      'mkdir ../my-hookmux && cd ../my-hookmux && npm init -y',
      'npm install ../hookmux-tarballs/*.tgz',
    ]);
    const hookmuxLines = block.split('\n').filter((l) => l.startsWith('npx hookmux '));
    expect(hookmuxLines.map((l) => hookmuxArgs(l)[0])).toEqual(['init', 'check', 'serve']);

    const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-service-'));
    for (const line of hookmuxLines.slice(0, 2)) {
      const run = await runBin(hookmuxArgs(line), dir);
      expect({ line, code: run.code }).toEqual({ line, code: 0 });
    }
    const port = await freePort();
    const token = 'readme-admin-token-0123456789';
    const serve = spawn(cloneBin, hookmuxArgs(hookmuxLines[2] ?? ''), {
      cwd: dir,
      env: { ...shellEnv, HOOKMUX_PORT: String(port), HOOKMUX_ADMIN_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      serve.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      await waitFor(() => output.includes('hookmux listening'), 20_000, 'serve to listen');
      expect(existsSync(join(dir, 'data/hookmux.db'))).toBe(true);
      // The README's admin API call (curl -H "Authorization: Bearer ..." URL), on this port.
      const curl = shBlocks()
        .flatMap((b) => b.split('\n'))
        .find((l) => l.startsWith('curl -H "Authorization: Bearer $HOOKMUX_ADMIN_TOKEN"'));
      const url = /'(http:\/\/127\.0\.0\.1:8080[^']*)'/.exec(curl ?? '')?.[1] ?? '';
      expect(url).not.toBe('');
      const response = await fetch(url.replace(':8080', `:${port}`), {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
