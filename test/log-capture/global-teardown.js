import { existsSync, readFileSync } from 'node:fs';

import { captureFile } from './capture-file.js';

/**
 * The whole suite's log lines must not contain a robot key or token: a WeCom `key=`, a DingTalk
 * `access_token=`, a Feishu hook token or a signature in a URL. Masked values (`***`) and
 * placeholders in hints (`<token>`) are fine.
 * This fails the run (jest exits non-zero) when a line leaks one.
 */
const leaks = [
  /webhook\/send\?key=(?!\*\*\*|<)[^"&\s\\]+/,
  /access_token=(?!\*\*\*|<)[^"&\s\\]+/,
  /\/bot\/v2\/hook\/(?!\*\*\*|:token|<)[^"/?\s\\]+/,
  /[?&]sign=(?!\*\*\*|<)[^"&\s\\]+/,
];

export default function globalTeardown() {
  if (!existsSync(captureFile)) return;
  const lines = readFileSync(captureFile, 'utf8').split('\n').filter(Boolean);
  const leaked = lines.filter((line) => leaks.some((re) => re.test(line)));
  if (leaked.length > 0) {
    throw new Error(
      `${leaked.length} captured log line(s) contain a robot key or token, e.g.:\n${leaked.slice(0, 5).join('\n')}`,
    );
  }
  console.log(`log leak check: ${lines.length} captured log lines, no robot key or token in any`);
}
