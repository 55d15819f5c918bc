// Child processes of the bench: hookmux itself (the built CLI), the bare server, the fake robot.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const hookmuxMain = join(repoRoot, 'core', 'lib', 'cli', 'main.js');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resident and peak resident memory of a process, MB (`VmRSS`, `VmHWM` from /proc). */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

function stopChild(child) {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 0);
    });
    child.kill('SIGTERM');
  });
}

/** Runs `bench/<script>`, waits for its `listening PORT` line. */
export function spawnListening(script, args = [], env = {}) {
  const child = spawn(process.execPath, [join(repoRoot, 'bench', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        child.removeAllListeners('exit');
        resolve({ child, url: `http://127.0.0.1:${match[1]}`, stop: () => stopChild(child) });
      }
    });
  });
}

/** `hookmux serve` with `yaml` as its config, in a temp folder; resolves once /readyz answers. */
export async function spawnHookmux({ yaml, nodeArgs = [] }) {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-bench-'));
  const config = join(dir, 'hookmux.yaml');
  writeFileSync(config, yaml);
  const port = Number(/port: (\d+)/.exec(yaml)?.[1]);
  const child = spawn(process.execPath, [...nodeArgs, hookmuxMain, 'serve', '-c', config], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c.toString()));
  child.stderr.on('data', (c) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hookmux exited with ${child.exitCode}:\n${output}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`hookmux did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, dir, output: () => output, stop: () => stopChild(child) };
}
