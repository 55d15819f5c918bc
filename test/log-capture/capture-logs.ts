import { appendFileSync } from 'node:fs';

import { MemoryLogger } from '../../core/src/logging/memory-logger.js';
import { captureFile } from './capture-file.js';

/**
 * Runs in every test file (jest `setupFilesAfterEnv`): every line any MemoryLogger records, in
 * any test, is appended to one file, which `global-teardown.js` greps for robot keys and
 * tokens when the whole suite is done.
 */
for (const level of ['debug', 'info', 'warn', 'error'] as const) {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
  const original = MemoryLogger.prototype[level];
  MemoryLogger.prototype[level] = function (this: MemoryLogger, obj: object | string, msg?: string): void {
    original.call(this, obj, msg);
    const line = this.lines[this.lines.length - 1];
    appendFileSync(
      captureFile,
      `${JSON.stringify(line, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v))}\n`,
    );
  };
}
