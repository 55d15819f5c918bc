import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { freePort } from '../helpers/free-port.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const secret = 'reload-secret-value';

function contentOf(robot: FakeWeComRobot, key: string, index: number): string {
  const body = robot.messagesFor(key)[index]?.body['markdown'] as { content?: string } | undefined;
  return body?.content ?? '';
}

function configYaml(robot: FakeWeComRobot, route: { to: string; branch?: string }): string {
  return `
storage: { type: sqlite, path: ./outbox.db }
templates: { dir: ./tpl }
sources:
  gitee: { secret: ${secret} }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}" }
  team-b: { type: wecom, webhook: "${robot.url('team-b')}" }
routes:
  - when: { event: push${route.branch ? `, branch: ${route.branch}` : ''} }
    to: ${route.to}
`;
}

describe('hot reload of config and templates', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a', 'team-b'] });
  let server: TestHookmux;
  let pushes = 0;

  const push = async (target: { post: TestHookmux['post'] } = server): Promise<number> => {
    pushes += 1;
    const request = giteeRequest(buildPushBody({ repo: 'acme/widget', hookId: 5000 + pushes }), secret);
    return (await target.post('/webhooks/gitee', request.body, request.headers)).status;
  };

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(configYaml(robot, { to: 'team-a' }), {
      files: { 'tpl/gitee/push.md.hbs': 'V1 {{repo.fullName}}' },
    });
    server.hookmux.reloader.watch();
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });

  it('uses an edited template file for the next message, with no restart', async () => {
    expect(await push()).toBe(200);
    await waitFor(() => robot.messagesFor('team-a').length === 1);
    expect(contentOf(robot, 'team-a', 0)).toBe('V1 acme/widget');

    const reloads = server.logger.lines.filter((l) => l.msg === 'config reloaded').length;
    writeFileSync(join(server.dir, 'tpl', 'gitee', 'push.md.hbs'), 'V2 {{repo.fullName}} 🚀');
    await waitFor(
      () => server.logger.lines.filter((l) => l.msg === 'config reloaded').length > reloads,
      10_000,
      'a reload',
    );
    expect(await push()).toBe(200);
    await waitFor(() => robot.messagesFor('team-a').length === 2);
    expect(contentOf(robot, 'team-a', 1)).toBe('V2 acme/widget 🚀');
  });

  it('refuses a broken config, logs why, and keeps delivering with the old routes', async () => {
    writeFileSync(join(server.dir, 'hookmux.yaml'), configYaml(robot, { to: 'team-nope' }));
    await waitFor(
      () => server.logger.lines.some((l) => l.msg.startsWith('config reload refused')),
      10_000,
      'the refusal',
    );
    const refusal = server.logger.lines.find((l) => l.msg.startsWith('config reload refused'));
    expect(JSON.stringify(refusal)).toContain('routes[0].to: no sink named \\"team-nope\\"');
    const before = robot.messagesFor('team-a').length;
    expect(await push()).toBe(200);
    await waitFor(() => robot.messagesFor('team-a').length === before + 1);
    expect(robot.messagesFor('team-b')).toHaveLength(0);
  });

  it('refuses a broken template the same way', async () => {
    const refusals = server.logger.lines.filter((l) => l.msg.startsWith('config reload refused')).length;
    writeFileSync(join(server.dir, 'tpl', 'gitee', 'push.md.hbs'), 'V3 {{#each commits}}');
    await waitFor(
      () => server.logger.lines.filter((l) => l.msg.startsWith('config reload refused')).length > refusals,
      10_000,
      'the refusal',
    );
    const before = robot.messagesFor('team-a').length;
    expect(await push()).toBe(200);
    await waitFor(() => robot.messagesFor('team-a').length === before + 1);
    expect(contentOf(robot, 'team-a', before)).toBe('V2 acme/widget 🚀');
  });
});

describe('SIGHUP reloads a running hookmux serve', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a', 'team-b'] });
  let child: ChildProcess;
  let output = '';
  let dir = '';
  let port = 0;

  beforeAll(async () => {
    await robot.start();
    dir = mkdtempSync(join(tmpdir(), 'hookmux-sighup-'));
    mkdirSync(join(dir, 'tpl'));
    port = await freePort();
    writeFileSync(
      join(dir, 'hookmux.yaml'),
      `server: { host: 127.0.0.1, port: ${port} }\n${configYaml(robot, { to: 'team-a' })}`,
    );
    child = spawn(
      process.execPath,
      [join(repo, 'core/lib/cli/main.js'), 'serve', '-c', join(dir, 'hookmux.yaml')],
      {
        env: { PATH: process.env['PATH'] ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await waitFor(() => output.includes('hookmux listening'), 20_000, 'the server to listen');
  }, 30_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await robot.stop();
  });

  it('sends to the new route after SIGHUP', async () => {
    const url = `http://127.0.0.1:${port}`;
    const post = async (n: number): Promise<number> => {
      const request = giteeRequest(buildPushBody({ hookId: 9000 + n }), secret);
      return (
        await fetch(`${url}/webhooks/gitee`, { method: 'POST', headers: request.headers, body: request.body })
      ).status;
    };
    expect(await post(1)).toBe(200);
    await waitFor(() => robot.messagesFor('team-a').length === 1, 10_000, 'team-a');

    writeFileSync(
      join(dir, 'hookmux.yaml'),
      `server: { host: 127.0.0.1, port: ${port} }\n${configYaml(robot, { to: 'team-b' })}`,
    );
    const reloads = output.split('config reloaded').length;
    child.kill('SIGHUP');
    await waitFor(() => output.split('config reloaded').length > reloads, 10_000, 'the reload');
    expect(await post(2)).toBe(200);
    await waitFor(() => robot.messagesFor('team-b').length === 1, 10_000, 'team-b');
    expect(robot.messagesFor('team-a')).toHaveLength(1);
  }, 30_000);
});
