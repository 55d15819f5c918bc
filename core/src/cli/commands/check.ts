import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { loadForCli } from '../load-for-cli.js';

/** `hookmux check [-c FILE]`: config, templates and plugins; every problem listed, exit 1 if any. */
export async function runCheckCommand(configOption: string | undefined, io: CliIo): Promise<number> {
  const loaded = await loadForCli(configOption, io);
  if (loaded.errors.length > 0) {
    writeLine(
      io.err,
      `${loaded.file}: ${loaded.errors.length} 个问题 problem${loaded.errors.length === 1 ? '' : 's'}`,
    );
    for (const error of loaded.errors) writeLine(io.err, `  ✗ ${error.describe()}`);
  }
  for (const warning of loaded.warnings) writeLine(io.err, `  ! ${warning}`);
  const runtime = loaded.runtime;
  if (loaded.errors.length > 0 || !runtime) return exitCodes.failure;
  writeLine(
    io.out,
    `ok: ${loaded.file}: ${runtime.sources.size} source(s), ${runtime.sinks.size} sink(s), ${runtime.routes.length} route(s), templates compiled（配置有效，模板已编译）`,
  );
  return exitCodes.ok;
}
