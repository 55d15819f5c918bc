import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The third-party recorded payloads live in ../shared/fixtures (beside the repo), never in the
 * repo. Conformance suites call `sharedFixtures(kind)` and skip, with a printed notice, when the
 * folder is absent.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = process.env['HOOKMUX_SHARED_DIR'] ?? join(repoRoot, '..', 'shared');

export function hasSharedFixtures(): boolean {
  return existsSync(join(sharedDir, 'fixtures'));
}

/** File names under ../shared/fixtures/<kind> (e.g. `gitee`, `robots`), sorted; [] when absent. */
export function listSharedFixtures(kind: string, pattern: RegExp = /\.json$/): string[] {
  const dir = join(sharedDir, 'fixtures', kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort();
}

export function readSharedFixture(kind: string, file: string): Buffer {
  return readFileSync(join(sharedDir, 'fixtures', kind, file));
}

/** Prints the notice once per suite; use as `const run = describeShared(...)`. */
export function noteSkipped(suite: string): void {
  console.warn(`skipped: ../shared not found (${suite})`);
}
