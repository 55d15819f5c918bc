import { copyFileSync, existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';

import { exampleConfigPath } from '../../config/load-config.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';

/** `hookmux init [FILE]`: the bundled, commented example config as a starting point. */
export function runInitCommand(fileOption: string, force: boolean, io: CliIo): number {
  const target = resolve(io.cwd, fileOption);
  if (existsSync(target) && !force) {
    writeLine(io.err, `✗ ${target} 已存在，未改动 already exists, left as is (--force 覆盖 overwrites)`);
    return exitCodes.failure;
  }
  copyFileSync(exampleConfigPath, target);
  const shown = relative(io.cwd, target) || target;
  writeLine(io.out, `已写入示例配置 wrote the example config: ${target}`);
  writeLine(io.out, `下一步 next: 编辑 edit ${shown}，然后 then: hookmux check -c ${shown}`);
  return exitCodes.ok;
}
