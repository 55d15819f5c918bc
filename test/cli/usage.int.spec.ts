import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { startTestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const coreVersion = (JSON.parse(readFileSync(join(repo, 'core/package.json'), 'utf8')) as { version: string })
  .version;

/** A folder whose ./hookmux.yaml needs variables that are not set: no command's help may read it. */
function brokenConfigDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-usage-'));
  writeFileSync(
    join(dir, 'hookmux.yaml'),
    'storage: { type: redis, url: "${REDIS_URL_NOT_SET}" }\nsinks: { a: { type: wecom, key: "${KEY_NOT_SET}" } }\n',
  );
  return dir;
}

describe('hookmux usage', () => {
  it('prints the version of the package', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCliCapture([flag]);
      expect(run).toEqual({ code: 0, out: `${coreVersion}\n`, err: '' });
    }
  });

  const commands = [
    ['serve'],
    ['worker'],
    ['check'],
    ['render'],
    ['send-test'],
    ['deliveries'],
    ['deliveries', 'list'],
    ['deliveries', 'purge'],
    ['templates'],
    ['templates', 'eject'],
    ['init'],
    ['backup'],
  ];
  it.each(commands.map((c) => [c.join(' '), c] as const))(
    'answers %s --help without reading a config',
    async (_name, command) => {
      const dir = brokenConfigDir();
      const run = await runCliCapture([...command, '--help'], { cwd: dir, env: {} });
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      expect(run.out).toContain(
        `Usage: hookmux ${command.at(-1) === 'list' || command.at(-1) === 'purge' ? 'deliveries' : command.join(' ')}`,
      );
      expect(run.out).not.toContain('REDIS_URL_NOT_SET');
    },
  );

  it('spells out the deliveries subcommands in deliveries --help, with its variables unset', async () => {
    const run = await runCliCapture(['deliveries', '--help'], { cwd: brokenConfigDir(), env: {} });
    expect(run.code).toBe(0);
    for (const line of [
      'deliveries list [--status S]',
      'deliveries replay --dead',
      'deliveries purge --sent|--dead',
    ])
      expect(run.out).toContain(line);
  });

  it('lists every command in hookmux --help, in Chinese first', async () => {
    const run = await runCliCapture(['--help']);
    expect(run.code).toBe(0);
    for (const name of [
      'serve',
      'worker',
      'check',
      'render',
      'send-test',
      'deliveries',
      'templates',
      'init',
      'backup',
    ])
      expect(run.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(run.out).toContain('校验配置、模板与插件');
  });

  it('exits 2 on wrong usage, naming the problem', async () => {
    const unknown = await runCliCapture(['serv']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'serv'");
    const missing = await runCliCapture(['send-test']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'SINK'");
    const none = await runCliCapture([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: hookmux');
  });

  it('reads HOOKMUX_CONFIG when there is no -c, and -c wins over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-env-config-'));
    const file = join(dir, 'from-env.yaml');
    writeFileSync(
      file,
      'storage: { type: memory }\nsinks: { c: { type: console } }\nroutes: [{ when: {}, to: c }]\n',
    );
    const run = await runCliCapture(['check'], { cwd: dir, env: { HOOKMUX_CONFIG: file } });
    expect(run.code).toBe(0);
    expect(run.out).toContain(`ok: ${file}:`);
    const explicit = await runCliCapture(['check', '-c', join(dir, 'missing.yaml')], {
      cwd: dir,
      env: { HOOKMUX_CONFIG: file },
    });
    expect(explicit.code).toBe(1);
    expect(explicit.err).toContain('HM_ERR_CFG_NOT_FOUND');
  });

  it('init writes the commented example, which passes check, and never overwrites without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-init-'));
    const first = await runCliCapture(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(readFileSync(join(dir, 'hookmux.yaml'), 'utf8')).toContain('# hookmux example configuration');
    expect((await runCliCapture(['check'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'hookmux.yaml'), '# my edits\n');
    const again = await runCliCapture(['init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.err).toContain('已存在');
    expect(readFileSync(join(dir, 'hookmux.yaml'), 'utf8')).toBe('# my edits\n');
    expect((await runCliCapture(['init', '--force'], { cwd: dir })).code).toBe(0);
  });
});

describe('hookmux deliveries in the configured time zone', () => {
  const robot = new FakeWeComRobot({ keys: ['tz'] });
  let file = '';
  let dir = '';

  beforeAll(async () => {
    await robot.start();
    const yaml = `
storage: { type: sqlite, path: ./hookmux.db }
templates: { timeZone: Asia/Shanghai }
sources: { gitee: { secret: tz-secret } }
sinks: { tz: { type: wecom, webhook: "${robot.url('tz')}" } }
routes: [{ when: { event: push }, to: tz }]
`;
    const server = await startTestHookmux(yaml);
    dir = server.dir;
    file = join(dir, 'hookmux.yaml');
    const request = giteeRequest(buildPushBody({ seq: 7 }), 'tz-secret');
    expect((await server.post('/webhooks/gitee', request.body, request.headers)).status).toBe(200);
    await waitFor(() => robot.messagesFor('tz').length === 1, 10_000, 'the robot to get the push');
    await server.close();
  });
  afterAll(() => robot.stop());

  it('shows list and show times in templates.timeZone (+08:00), and JSON as epoch milliseconds', async () => {
    const list = await runCliCapture(['deliveries', 'list', '-c', file], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00 /);
    const json = await runCliCapture(['deliveries', 'list', '--json', '-c', file], { cwd: dir });
    const [record] = JSON.parse(json.out) as { id: string; updatedAt: number }[];
    expect(typeof record?.updatedAt).toBe('number');
    const shown = await runCliCapture(['deliveries', 'show', record?.id ?? '', '-c', file], { cwd: dir });
    expect(shown.code).toBe(0);
    // The same instant, written in Beijing time.
    const beijing = new Date((record?.updatedAt ?? 0) + 8 * 3600_000)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    expect(shown.out).toMatch(new RegExp(`^updated\\s+${beijing} \\+08:00$`, 'm'));
  });
});
