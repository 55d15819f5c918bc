import { readFileSync } from 'node:fs';

import { Command, CommanderError, Option } from 'commander';

import { type CliIo, exitCodes } from './cli-io.js';
import { runBackupCommand } from './commands/backup.js';
import { runCheckCommand } from './commands/check.js';
import { deliveriesUsage, runDeliveriesCli } from './commands/deliveries-cli.js';
import { runInitCommand } from './commands/init.js';
import { runRenderCommand } from './commands/render.js';
import { runSendTestCommand } from './commands/send-test.js';
import { runServeCommand } from './commands/serve.js';
import { runTemplatesEjectCommand } from './commands/templates-eject.js';

const coreVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const configHelp =
  '配置文件 config file: -c FILE，否则 $HOOKMUX_CONFIG，否则 ./hookmux.yaml，否则内置示例 (else $HOOKMUX_CONFIG, else ./hookmux.yaml, else the bundled example)';

const footer = `
${configHelp}
退出码 exit codes: 0 成功 ok，1 可修复的问题（消息会说明怎么改）a problem you can fix，2 用法错误 wrong usage
每个命令都有 --help：hookmux deliveries --help`;

interface ConfigOptions {
  readonly config?: string;
}

/**
 * Runs one command; returns its exit code (serve resolves when the server stops). Parsing,
 * `--help` and `--version` are commander's; nothing here needs a config until a command body runs.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = exitCodes.ok;
  const configOf = (options: ConfigOptions): string | undefined =>
    options.config ?? (io.env['HOOKMUX_CONFIG'] || undefined);
  const configOption = (): Option => new Option('-c, --config <FILE>', '配置文件 config file');

  const program = new Command('hookmux')
    .description('hookmux：Webhook 事件路由（Gitee → 企业微信、钉钉、飞书）/ webhook event router')
    .version(coreVersion, '-V, --version', '显示版本 print the version')
    .helpOption('-h, --help', '显示帮助 show help')
    .helpCommand('help [COMMAND]', '显示某个命令的帮助 help for a command')
    .addHelpText('after', footer)
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
    })
    .showHelpAfterError('（hookmux --help 查看用法 / for usage）')
    .exitOverride();

  program
    .command('serve')
    .description('运行服务（HTTP 与投递）run the server (HTTP and dispatcher)')
    .addOption(configOption())
    .action(async (options: ConfigOptions) => {
      code = await runServeCommand(configOf(options), io, 'serve');
    });

  program
    .command('worker')
    .description('只投递，不开 HTTP（单独扩展投递）dispatch only, no HTTP')
    .addOption(configOption())
    .action(async (options: ConfigOptions) => {
      code = await runServeCommand(configOf(options), io, 'worker');
    });

  program
    .command('check')
    .description('校验配置、模板与插件，一次列出所有问题 validate config, templates and plugins')
    .addOption(configOption())
    .action(async (options: ConfigOptions) => {
      code = await runCheckCommand(configOf(options), io);
    });

  program
    .command('render')
    .description(
      '预览一个 payload 会发出的消息（JSON），不发送 print what a payload would send; sends nothing',
    )
    .argument('<PAYLOAD.json>', '收到的 webhook 请求体 the webhook body')
    .addOption(configOption())
    .option('--source <ID>', '来源 source id', 'gitee')
    .option('--event <NAME>', '事件头，如 "Push Hook" the event header')
    .action(async (payloadFile: string, options: ConfigOptions & { source: string; event?: string }) => {
      code = await runRenderCommand(
        { config: configOf(options), source: options.source, event: options.event, payloadFile },
        io,
      );
    });

  program
    .command('send-test')
    .description('向一个 sink 发送一条测试消息 send one test message to a sink')
    .argument('<SINK>', '配置中 sinks: 下的名字 a name under sinks:')
    .addOption(configOption())
    .action(async (sink: string, options: ConfigOptions) => {
      code = await runSendTestCommand(sink, configOf(options), io);
    });

  program
    .command('deliveries')
    .description('查看、重放、清理投递记录（outbox）inspect and replay the outbox')
    .usage('list|show|replay|purge|stats [options]')
    .argument('[ARGS...]')
    .addOption(configOption())
    .allowUnknownOption()
    .addHelpText('after', `\n${deliveriesUsage}`)
    .action(async (args: string[], options: ConfigOptions) => {
      code = await runDeliveriesCli(configOf(options), args, io);
    });

  const templates = program
    .command('templates')
    .description('内置模板 the built-in templates')
    .action(() => {
      templates.outputHelp();
      code = exitCodes.usage;
    });
  templates
    .command('eject')
    .description('把内置模板复制出来以便修改 copy the built-in templates out for editing')
    .argument('[DIR]', '目标目录 target folder', 'templates')
    .option('--force', '覆盖已有文件 overwrite existing files', false)
    .action((dir: string, options: { force: boolean }) => {
      code = runTemplatesEjectCommand(dir, options.force, io);
    });

  program
    .command('init')
    .description('写出带注释的示例配置 write the commented example config')
    .argument('[FILE]', '目标文件 target file', 'hookmux.yaml')
    .option('--force', '覆盖已有文件 overwrite an existing file', false)
    .action((file: string, options: { force: boolean }) => {
      code = runInitCommand(file, options.force, io);
    });

  program
    .command('backup')
    .description(
      '在线备份 SQLite 投递库（运行中也安全）online backup of the SQLite outbox, safe while running',
    )
    .argument('<FILE>', '备份文件 the copy to write')
    .addOption(configOption())
    .action(async (file: string, options: ConfigOptions) => {
      code = await runBackupCommand(file, configOf(options), io);
    });

  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return exitCodes.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end in a "CommanderError" with exit code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    throw error;
  }
  return code;
}
