import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { createHookmux, type Hookmux, loadConfig, MemoryLogger } from '@hookmux/core/internal';

import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { waitFor } from '../helpers/start-test-hookmux.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'plugins');
const mainJs = join(repo, 'core', 'lib', 'cli', 'main.js');
const secret = 'plugin-di-secret';

/** A working folder with the fixture plugins installed in its node_modules, and a config that lists `plugins`. */
function installAndConfigure(plugins: readonly string[], sinks: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-plugin-di-'));
  mkdirSync(join(dir, 'node_modules'));
  for (const name of plugins) symlinkSync(join(fixtures, name), join(dir, 'node_modules', name), 'dir');
  const file = join(dir, 'hookmux.yaml');
  writeFileSync(
    file,
    `
plugins: [${plugins.join(', ')}]
storage: { type: sqlite, path: ./data/hookmux.db }
delivery: { timeout: 30s }
sources:
  gitee: { secret: "${secret}" }
sinks:
${sinks}
routes:
  - when: { source: gitee, event: push }
    to: echo-a
`,
  );
  return { dir, file };
}

describe('a plugin sink that injects core services (Logger, SinkDirectory, RuntimeHolder)', () => {
  const { dir, file } = installAndConfigure(['hookmux-sink-echo'], '  echo-a: { type: echo }');

  describe('serve (createHookmux)', () => {
    const logger = new MemoryLogger();
    let hookmux: Hookmux;
    let url = '';

    beforeAll(async () => {
      const config = await loadConfig(file, { env: {} });
      hookmux = await createHookmux({ config, logger, env: {}, plugins: { cwd: dir } });
      url = (await hookmux.listen(0, '127.0.0.1')).url;
    });
    afterAll(() => hookmux.close());

    it('is built with the process logger, and logs through it when the dispatcher sends', async () => {
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'echo sink built with the injected Logger' }),
      );
      const request = giteeRequest(buildPushBody({ repo: 'acme/widget' }), secret);
      const answer = await fetch(`${url}/webhooks/gitee`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      expect(answer.status).toBe(200);
      await waitFor(
        () => logger.lines.some((l) => l.msg.startsWith('echo: ')),
        10_000,
        'the echo sink to log the send',
      );
      const sent = logger.lines.find((l) => l.msg.startsWith('echo: '));
      // The injected SinkDirectory and RuntimeHolder are the runtime in force; the dispatcher
      // passed delivery.timeout.
      expect(sent).toMatchObject({
        plugin: 'hookmux-sink-echo',
        sink: 'echo-a',
        known: ['echo-a'],
        timeoutMs: 30_000,
        configured: 30_000,
      });
      expect(sent?.msg).toContain('acme/widget');
    });
  });

  describe('the CLI, through the same composition', () => {
    it('hookmux check loads it', async () => {
      const run = await runCliCapture(['check', '-c', file], { cwd: dir });
      expect(run.err).toBe('');
      expect(run.out).toContain('1 sink(s)');
      expect(run.code).toBe(0);
    });

    it('hookmux send-test sends through it', async () => {
      const run = await runCliCapture(['send-test', 'echo-a', '-c', file], { cwd: dir });
      expect(run.out).toContain('ok: echo-a accepted the message (code echoed)');
      expect(run.code).toBe(0);
    });
  });

  describe('hookmux worker, as its own process', () => {
    it('loads it, logs through the injected logger, and stops on SIGTERM', async () => {
      if (!existsSync(mainJs))
        throw new Error(`${mainJs} is missing: run \`npm run build\` first (npm test does)`);
      const child = spawn(process.execPath, [mainJs, 'worker', '-c', file], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await waitFor(
          () => output.includes('hookmux worker dispatching'),
          15_000,
          `the worker to start:\n${output}`,
        );
        expect(output).toContain('echo sink built with the injected Logger');
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    });
  });
});

describe('a plugin sink that injects a service no one binds', () => {
  const { dir, file } = installAndConfigure(['hookmux-sink-needy'], '  echo-a: { type: needy }');

  it('is refused with HM_ERR_PLUGIN_INJECT naming the service, by check and by serve alike', async () => {
    const run = await runCliCapture(['check', '-c', file], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.err).toContain('HM_ERR_PLUGIN_INJECT');
    expect(run.err).toContain('hookmux-sink-needy/Unbound');

    const config = await loadConfig(file, { env: {} });
    await expect(
      createHookmux({ config, logger: new MemoryLogger(), plugins: { cwd: dir } }),
    ).rejects.toMatchObject({
      errors: [expect.objectContaining({ code: 'HM_ERR_PLUGIN_INJECT' })],
    });
  });
});
