import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { builtinTemplatesDir } from '../../templates/message-renderer.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';

/**
 * `hookmux templates eject [DIR]`: copies the built-in templates out for editing. Files that
 * already exist are kept (use --force to overwrite), so a second eject never loses edits.
 */
export function runTemplatesEjectCommand(dirOption: string | undefined, force: boolean, io: CliIo): number {
  const target = resolve(io.cwd, dirOption ?? 'templates');
  if (resolve(target) === resolve(builtinTemplatesDir)) {
    writeLine(
      io.err,
      '✗ 这就是内置模板目录本身，请换一个目录 that is the built-in template folder itself; pick another folder',
    );
    return exitCodes.failure;
  }
  let copied = 0;
  let kept = 0;
  for (const file of listFiles(builtinTemplatesDir)) {
    const name = relative(builtinTemplatesDir, file);
    const dest = join(target, name);
    if (existsSync(dest) && !force) {
      kept += 1;
      continue;
    }
    cpSync(file, dest);
    copied += 1;
  }
  writeLine(
    io.out,
    `已复制 ${copied} 个模板文件 copied ${copied} template file(s) to ${target}${kept ? `（保留已有 kept ${kept} existing; --force 覆盖 overwrites）` : ''}`,
  );
  writeLine(
    io.out,
    `下一步 next: 在 hookmux.yaml 中设置 set templates.dir: ${relative(io.cwd, target) || '.'}，修改模板 edit a file，然后 then run hookmux check`,
  );
  return exitCodes.ok;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}
