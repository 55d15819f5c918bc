import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { errorCodes } from '@hookmux/core';
import { registeredErrorCodes } from '@hookmux/core/internal';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Row {
  readonly code: string;
  readonly status: number;
}

function readTable(file: string): Row[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\| `(HM_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => ({
    code: m[1] ?? '',
    status: Number(m[2]),
  }));
}

/** Every package folder of the repository besides core: plugins/*, examples/*, testing. */
function packageDirs(): string[] {
  const dirs: string[] = [];
  for (const parent of ['plugins', 'examples']) {
    const base = join(repo, parent);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      if (existsSync(join(base, name, 'package.json'))) dirs.push(join(base, name));
    }
  }
  return dirs;
}

describe('ERRORS.md', () => {
  it('lists every core error code, once, with the status the code maps to', () => {
    const rows = readTable(join(repo, 'ERRORS.md'));
    const documented = rows.map((r) => r.code).sort();
    expect(documented).toEqual(Object.keys(errorCodes).sort());
    expect(new Set(documented).size).toBe(documented.length);
    for (const row of rows) {
      expect({ code: row.code, status: errorCodes[row.code as keyof typeof errorCodes].status }).toEqual(row);
    }
  });

  it("each package's ERRORS.md lists exactly the codes it registers, under one prefix of its own", async () => {
    const documented = new Map<string, Row & { readonly dir: string }>();
    const prefixes = new Map<string, string>();
    for (const dir of packageDirs()) {
      // Importing the package registers its codes (defineErrorCodes runs at module load).
      const entry = ['src/index.ts', 'src/index.js', 'index.js'].map((f) => join(dir, f)).find(existsSync);
      if (entry !== undefined) await import(pathToFileURL(entry).href);
      const table = join(dir, 'ERRORS.md');
      if (!existsSync(table)) continue;
      for (const row of readTable(table)) {
        expect(documented.get(row.code)?.dir).toBeUndefined();
        documented.set(row.code, { ...row, dir });
        const prefix = row.code.slice('HM_ERR_'.length).split('_')[0] ?? '';
        expect({ code: row.code, prefixOwner: prefixes.get(prefix) ?? dir }).toEqual({
          code: row.code,
          prefixOwner: dir,
        });
        prefixes.set(prefix, dir);
      }
    }
    // Jest gives each test file its own module registry: only the packages imported above registered.
    const registered = [...registeredErrorCodes()].map(([code, info]) => ({ code, status: info.status }));
    expect(registered.sort((a, b) => a.code.localeCompare(b.code))).toEqual(
      [...documented.values()]
        .map(({ code, status }) => ({ code, status }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    );
  });
});
