import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { errorCodes } from '@hookmux/core';

const table = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'ERRORS.md'), 'utf8');
const rows = [...table.matchAll(/^\| `(HM_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => ({
  code: m[1],
  status: Number(m[2]),
}));

describe('ERRORS.md', () => {
  it('lists every error code, once, with the status the code maps to', () => {
    const documented = rows.map((r) => r.code).sort();
    expect(documented).toEqual(Object.keys(errorCodes).sort());
    expect(new Set(documented).size).toBe(documented.length);
    for (const row of rows) {
      expect({ code: row.code, status: errorCodes[row.code as keyof typeof errorCodes].status }).toEqual(row);
    }
  });
});
