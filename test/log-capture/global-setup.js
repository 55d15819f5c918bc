import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { captureFile } from './capture-file.js';

export default function globalSetup() {
  mkdirSync(dirname(captureFile), { recursive: true });
  writeFileSync(captureFile, '');
}
