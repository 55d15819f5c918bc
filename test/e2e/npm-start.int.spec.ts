import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/start-test-hookmux.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The README's try-it request: its headers and the file it posts, read from the README itself. */
function readmeCurlExample(): { headers: Record<string, string>; file: string; expected: string } {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = /```sh\n(curl -s http:\/\/127\.0\.0\.1:8080\/webhooks\/gitee[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no curl example');
  const headers = Object.fromEntries(
    [...block.matchAll(/-H '([^:]+): ([^']*)'/g)].map((m) => [String(m[1]).toLowerCase(), String(m[2])]),
  );
  const file = /--data @(\S+)/.exec(block)?.[1] ?? '';
  const expected = /# → (\{.*\})/.exec(block)?.[1] ?? '';
  return { headers, file, expected };
}

describe('npm start: hookmux serve on the example config', () => {
  let child: ChildProcess;
  let output = '';
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    // A working folder without ./hookmux.yaml, so serve falls back to the bundled example config (its data in this folder).
    const cwd = mkdtempSync(join(tmpdir(), 'hookmux-start-'));
    child = spawn(process.execPath, [join(repo, 'core/lib/cli/main.js'), 'serve'], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', HOOKMUX_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await waitFor(() => output.includes('hookmux listening'), 20_000, 'the server to listen');
  }, 30_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the rendered message for the README example push', async () => {
    const example = readmeCurlExample();
    const body = JSON.parse(readFileSync(join(repo, example.file), 'utf8')) as Record<string, unknown>;
    // A fresh hook id per run: the example's SQLite outbox remembers earlier runs' events.
    body['hook_id'] = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/gitee`, {
      method: 'POST',
      headers: example.headers,
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Record<string, unknown>;
    const expected = JSON.parse(example.expected.replace('"gitee:…"', '"x"')) as Record<string, unknown>;
    expect(answer).toMatchObject({
      ok: expected['ok'],
      event: expected['event'],
      deliveries: expected['deliveries'],
    });
    await waitFor(() => output.includes('console · gitee.push.update'), 10_000, 'the console sink to print');
    const printed = output.slice(output.indexOf('console · gitee.push.update'));
    expect(printed).toContain('acme-dev/hookmux-demo');
    expect(printed).toContain('release/2024-06');
  }, 20_000);

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
