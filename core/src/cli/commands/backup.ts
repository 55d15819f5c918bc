import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import Database from 'better-sqlite3';

import { loadConfig, resolveConfigPath } from '../../config/load-config.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { toErrors } from '../load-for-cli.js';

/**
 * `hookmux backup FILE`: SQLite's online backup API (better-sqlite3 `db.backup`), page by page
 * under read locks, so it is consistent and includes what is still in the WAL, while `serve`
 * keeps writing. A plain `cp hookmux.db` misses the WAL's recent commits. The copy is written
 * beside FILE and renamed into place once it passed an integrity check.
 */
export async function runBackupCommand(
  fileArg: string,
  configOption: string | undefined,
  io: CliIo,
): Promise<number> {
  const configFile = resolveConfigPath(configOption, io.cwd);
  let storage;
  try {
    storage = (await loadConfig(configFile, { env: io.env, cwd: io.cwd })).storage;
  } catch (error) {
    for (const e of toErrors(error)) writeLine(io.err, `✗ ${e.describe()}`);
    return exitCodes.failure;
  }
  if (storage.type !== 'sqlite') {
    writeLine(
      io.err,
      `✗ backup 只用于 SQLite 存储 works on SQLite storage only (storage.type is ${storage.type}); Redis: use its own persistence (BGSAVE, AOF)`,
    );
    return exitCodes.failure;
  }
  const source = storage.path;
  const target = resolve(io.cwd, fileArg);
  if (!existsSync(source)) {
    writeLine(io.err, `✗ 投递库不存在 no outbox at ${source} (storage.path; has hookmux serve run yet?)`);
    return exitCodes.failure;
  }
  if (resolve(source) === target) {
    writeLine(io.err, '✗ 备份文件不能是投递库本身 the backup cannot be the outbox itself');
    return exitCodes.failure;
  }
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial);
  } finally {
    db.close();
  }
  const copy = new Database(partial, { readonly: true });
  let rows: number;
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check of the copy failed: ${String(check)}`);
    rows = (copy.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n;
  } finally {
    copy.close();
  }
  renameSync(partial, target);
  writeLine(
    io.out,
    `已备份 backed up ${source} → ${target}（${rows} 条投递记录 deliveries，完整性检查通过 integrity ok）`,
  );
  return exitCodes.ok;
}
