import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** `test-artifacts/` at the repo root (git-ignored), for screenshots. */
export function artifactsDir(): string {
  const dir = join(import.meta.dirname, '..', '..', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
