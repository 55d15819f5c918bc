import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeSlackWebhook } from '../fake-robots/fake-slack-webhook.js';
import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { freePort } from '../helpers/free-port.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { waitFor } from '../helpers/start-test-hookmux.js';

/**
 * The product as a user gets it: every workspace packed with `npm pack`, the tarballs (and the
 * example plugin's, packed from examples/) installed with `npm install` into an empty folder and
 * into a global prefix, and each command run from there, with nothing from the repository on the
 * way (no workspace links, no NODE_PATH, a working folder outside the clone).
 *
 * The same commands build the Docker image (deploy/Dockerfile).
 */
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const secret = 'pack-install-secret';
const version = (JSON.parse(readFileSync(join(repo, 'app/package.json'), 'utf8')) as { version: string })
  .version;

/** The environment of a user's shell: no npm_* variables from `npm test`, no NODE_OPTIONS of jest. */
const userEnv: Record<string, string> = {
  PATH: process.env['PATH'] ?? '',
  HOME: process.env['HOME'] ?? tmpdir(),
  ...(process.env['npm_config_cache'] ? { npm_config_cache: process.env['npm_config_cache'] } : {}),
};

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function run(command: string, args: readonly string[], cwd: string, env = userEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited ${String(result.code)}:\n${result.out}\n${result.err}`,
    );
  return result;
}

/**
 * `npm install` of the tarballs: third-party packages come from the npm cache that `npm ci`
 * filled (`--prefer-offline`: the registry is asked only for package metadata, which `npm ci`
 * never caches). `--ignore-scripts` skips better-sqlite3's native build (~2 min of C++ on these
 * machines); its binary is then copied from the clone's node_modules, which `npm ci` built for
 * this same Node and platform. The copy is checked against the version in the lockfile, so a
 * mismatch fails loudly instead of loading a wrong binary.
 */
async function npmInstall(cwd: string, tarballs: readonly string[], global?: string): Promise<void> {
  await mustRun(
    'npm',
    [
      'install',
      ...(global === undefined ? [] : ['--global', '--prefix', global]),
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      ...tarballs,
    ],
    cwd,
  );
  // The global install only runs commands that never open SQLite (--version, check), so it needs
  // no binary, and a global install has no package.json whose overrides could pin the version.
  if (global === undefined) reuseSqliteBinary(cwd);
}

const builtSqlite = join(repo, 'node_modules/better-sqlite3');
const builtSqliteVersion = (
  JSON.parse(readFileSync(join(builtSqlite, 'package.json'), 'utf8')) as { version: string }
).version;

/**
 * The install folder's package.json. better-sqlite3 is pinned to the version the clone built, so
 * a newer 12.x on the registry cannot leave the copied binary behind its JavaScript.
 */
function installManifest(name: string): Record<string, unknown> {
  return { name, private: true, overrides: { 'better-sqlite3': builtSqliteVersion } };
}

function reuseSqliteBinary(root: string): void {
  const wanted = builtSqliteVersion;
  const found = findPackages(root, 'better-sqlite3');
  if (found.length === 0) throw new Error(`better-sqlite3 was not installed under ${root}`);
  for (const dir of found) {
    const installed = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
      .version;
    if (installed !== wanted)
      throw new Error(
        `better-sqlite3 ${installed} installed, but the clone built ${wanted}: cannot reuse it`,
      );
    mkdirSync(join(dir, 'build/Release'), { recursive: true });
    copyFileSync(
      join(builtSqlite, 'build/Release/better_sqlite3.node'),
      join(dir, 'build/Release/better_sqlite3.node'),
    );
  }
}

function findPackages(root: string, name: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry === '.bin') continue;
      const full = join(dir, entry);
      if (entry === name && existsSync(join(full, 'package.json'))) found.push(full);
      else if (lstatSync(full).isDirectory())
        walk(
          entry === 'node_modules' || entry.startsWith('@') ? full : join(full, 'node_modules'),
          depth + 1,
        );
    }
  };
  walk(join(root, 'node_modules'), 0);
  walk(join(root, 'lib/node_modules'), 0);
  return found;
}

describe('hookmux packed and installed outside the repository', () => {
  const wecom = new FakeWeComRobot({ keys: ['packed'] });
  const slack = new FakeSlackWebhook(['T1/B1/packed']);
  let tarballs: string[] = [];
  let packedNames: string[] = [];
  let app = '';
  let bin = '';
  let serve: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(join(repo, 'core/lib/cli/main.js')))
      throw new Error('core/lib is missing: run `npm run build` first (npm test does)');
    await wecom.start();
    await slack.start();
    const packed = mkdtempSync(join(tmpdir(), 'hookmux-tarballs-'));
    await mustRun('npm', ['pack', '--workspaces', '--pack-destination', packed, '--loglevel=error'], repo);
    await mustRun(
      'npm',
      ['pack', './examples/hookmux-sink-slack', '--pack-destination', packed, '--loglevel=error'],
      repo,
    );
    packedNames = readdirSync(packed).filter((f) => f.endsWith('.tgz'));
    // @hookmux/testing is the kit for plugin authors' tests (it peer-depends on jest): it packs
    // like every workspace, but a hookmux install does not include it (README, Dockerfile).
    tarballs = packedNames.filter((f) => !f.startsWith('hookmux-testing-')).map((f) => join(packed, f));
    app = mkdtempSync(join(tmpdir(), 'hookmux-installed-'));
    writeFileSync(join(app, 'package.json'), JSON.stringify(installManifest('my-hookmux')));
    await npmInstall(app, tarballs);
    bin = join(app, 'node_modules/.bin/hookmux');
  }, 240_000);

  afterAll(async () => {
    if (serve && serve.exitCode === null) serve.kill('SIGKILL');
    for (const dir of [app, tarballs[0] === undefined ? '' : dirname(tarballs[0])])
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    await wecom.stop();
    await slack.stop();
  });

  it('packs every workspace and the example plugin, and installs all but the plugin test kit', () => {
    expect(packedNames).toContain('hookmux-testing-0.1.0.tgz');
    const names = tarballs.map((t) => t.split('/').at(-1)).sort();
    expect(names).toEqual(
      [
        `hookmux-${version}.tgz`,
        'hookmux-core-0.1.0.tgz',
        'hookmux-queue-redis-0.1.0.tgz',
        'hookmux-sink-console-0.1.0.tgz',
        'hookmux-sink-dingtalk-0.1.0.tgz',
        'hookmux-sink-feishu-0.1.0.tgz',
        'hookmux-sink-slack-0.1.0.tgz',
        'hookmux-sink-wecom-0.1.0.tgz',
        'hookmux-source-dingtalk-0.1.0.tgz',
        'hookmux-source-feishu-0.1.0.tgz',
        'hookmux-source-gitea-0.1.0.tgz',
        'hookmux-source-gitee-0.1.0.tgz',
        'hookmux-source-github-0.1.0.tgz',
        'hookmux-source-gitlab-0.1.0.tgz',
      ].sort(),
    );
    // Real folders from the tarballs, not links into the clone; the schema and templates inside.
    const core = join(app, 'node_modules/@hookmux/core');
    expect(lstatSync(core).isSymbolicLink()).toBe(false);
    for (const file of [
      'config/hookmux.schema.json',
      'config/hookmux.example.yaml',
      'templates/gitee/push.md.hbs',
    ])
      expect(existsSync(join(core, file))).toBe(true);
  });

  it('answers --version and --help', async () => {
    expect(await mustRun(bin, ['--version'], app)).toMatchObject({ out: `${version}\n` });
    const help = await mustRun(bin, ['deliveries', '--help'], app);
    expect(help.out).toContain('hookmux deliveries list');
  }, 30_000);

  it('checks a config (schema and templates read from the installed packages), init and eject included', async () => {
    expect((await mustRun(bin, ['init', 'example.yaml'], app)).out).toContain('example.yaml');
    expect((await mustRun(bin, ['check', '-c', 'example.yaml'], app)).out).toMatch(/^ok: /);

    const eject = await mustRun(bin, ['templates', 'eject', './my-templates'], app);
    expect(eject.out).toContain('copied');
    // An edited push message, to see below that serve renders from the ejected folder.
    writeFileSync(
      join(app, 'my-templates/gitee/push.md.hbs'),
      '打包安装测试 **{{repo.fullName}}** {{plural commitCount "commit"}}',
    );
    writeFileSync(
      join(app, 'hookmux.yaml'),
      `server: { host: 127.0.0.1, port: "\${HOOKMUX_PORT:-8080}" }
storage: { type: sqlite, path: ./data/hookmux.db }
templates: { dir: ./my-templates, timeZone: Asia/Shanghai }
plugins: [hookmux-sink-slack]
sources: { gitee: { secret: "${secret}" } }
sinks:
  team: { type: wecom, webhook: "${wecom.url('packed')}", format: markdown }
  slack: { type: slack, webhook: "${slack.url('T1/B1/packed')}" }
routes:
  - when: { source: gitee, event: push }
    to: [team, slack]
`,
    );
    const check = await run(bin, ['check'], app);
    expect(check.err).toBe('');
    expect(check.out).toContain('1 source(s), 2 sink(s), 1 route(s)');

    // The schema from the installed core refuses a bad value, naming its key; the plugin's too.
    writeFileSync(join(app, 'bad.yaml'), 'server: { port: lots }\n');
    const bad = await run(bin, ['check', '-c', 'bad.yaml'], app);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('server.port');
    writeFileSync(
      join(app, 'bad-plugin.yaml'),
      'plugins: [hookmux-sink-slack]\nsinks: { s: { type: slack } }\n',
    );
    const badPlugin = await run(bin, ['check', '-c', 'bad-plugin.yaml'], app);
    expect(badPlugin.code).toBe(1);
    expect(badPlugin.err).toContain('sinks.s');
    expect(badPlugin.err).toContain('webhook');
  }, 60_000);

  it('serves: a signed Gitee push reaches the fake WeCom robot and, through the example plugin, Slack', async () => {
    const port = await freePort();
    const child = spawn(bin, ['serve'], {
      cwd: app,
      env: { ...userEnv, HOOKMUX_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve = child;
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    await waitFor(
      () => output.includes('hookmux listening') || child.exitCode !== null,
      20_000,
      'serve to listen',
    );
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // Slack throttles the first send: the sink says so (Retry-After) and the dispatcher retries.
    slack.throttleOnce(1);
    const body = buildPushBody({
      repo: 'acme/packed',
      commits: [{ message: 'fix: <!channel> 提醒 & <https://evil.example|点这里>' }],
    });
    const request = giteeRequest(body, secret);
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/gitee`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true, event: 'gitee.push.update', deliveries: 2 });

    await waitFor(() => wecom.messagesFor('packed').length === 1, 15_000, 'the WeCom robot to get the push');
    const markdown = wecom.messagesFor('packed')[0]?.body['markdown'] as { content: string };
    expect(markdown.content).toBe('打包安装测试 **acme/packed** 1 commit');

    await waitFor(() => slack.messages.length === 1, 15_000, 'Slack to get the push after its 429');
    const raw = String(slack.messages[0]?.body['text']);
    expect(raw).not.toMatch(/<!channel>|<https:/);
    // Core's text escaping may add invisible U+200B marks after `<`; what a person reads is:
    const text = raw.replaceAll('\u200b', '');
    expect(text).toContain('acme/packed');
    // Payload text stays text in Slack: no channel ping, no disguised link.
    expect(text).toContain('&lt;!channel&gt;');
    // (the push template shortens a long commit title; the escaping holds up to the cut)
    expect(text).toContain('&amp; &lt;https://evil.exam');

    // Operations from the installed command, beside the running server.
    const listed = await mustRun(bin, ['deliveries', 'list', '--status', 'sent', '--json'], app);
    const rows = JSON.parse(listed.out) as { sink: string }[];
    expect(rows.map((r) => r.sink).sort()).toEqual(['slack', 'team']);
    const backup = await run(bin, ['backup', 'backups/outbox.db'], app);
    expect(backup.err).toBe('');
    expect(backup.out).toContain('2 条投递记录');

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('installs into a global prefix too, and runs the bundled example from an empty folder', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'hookmux-global-'));
    await npmInstall(prefix, tarballs, prefix);
    const globalBin = join(prefix, 'bin/hookmux');
    const empty = mkdtempSync(join(tmpdir(), 'hookmux-empty-'));
    expect((await mustRun(globalBin, ['--version'], empty)).out).toBe(`${version}\n`);
    const check = await mustRun(globalBin, ['check'], empty);
    expect(check.out).toContain('hookmux.example.yaml: 1 source(s), 1 sink(s), 1 route(s)');
    rmSync(prefix, { recursive: true, force: true });
  }, 120_000);
});
