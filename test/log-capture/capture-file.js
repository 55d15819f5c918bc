import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where every test's log lines are collected for the leak check. */
export const captureFile = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-artifacts',
  'captured-logs.ndjson',
);
