import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { runCli } from '../../core/src/cli/run-cli.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

class Buffered extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/**
 * Runs `hookmux ARGS` in-process with captured output, as the bin would. The working folder is a
 * fresh temp folder unless given, so a command that falls back to the bundled example config
 * keeps its outbox there, never in the repository's data/ (where `npm start` may be running).
 */
export async function runCliCapture(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const out = new Buffered();
  const err = new Buffered();
  const code = await runCli(args, {
    out,
    err,
    isTTY: false,
    env: { ...options.env },
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'hookmux-cli-')),
  });
  return { code, out: out.text, err: err.text };
}
