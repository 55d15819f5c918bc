import { parseArgs } from 'node:util';

import { type CliIo, exitCodes, writeLine } from './cli-io.js';
import { runCheckCommand } from './commands/check.js';
import { runDeliveriesCli } from './commands/deliveries-cli.js';
import { runRenderCommand } from './commands/render.js';
import { runSendTestCommand } from './commands/send-test.js';
import { runServeCommand } from './commands/serve.js';
import { runTemplatesEjectCommand } from './commands/templates-eject.js';

const usage = `hookmux: webhook event router (Gitee → WeCom, DingTalk, Feishu)

usage:
  hookmux serve [-c FILE]                  run the server (HTTP and dispatcher)
  hookmux worker [-c FILE]                 dispatch only, no HTTP (scale delivery separately)
  hookmux check [-c FILE]                  validate config, templates and plugins
  hookmux render [-c FILE] --source gitee [--event "Push Hook"] PAYLOAD.json
                                           print what a payload would send, as JSON; sends nothing
  hookmux send-test SINK [-c FILE]         send one test message to a sink
  hookmux deliveries list|show|replay|purge [-c FILE] ...
                                           inspect and replay the outbox (hookmux deliveries --help)
  hookmux templates eject [DIR] [--force]  copy the built-in templates out for editing

config: -c FILE, else ./hookmux.yaml, else config/hookmux.example.yaml
exit codes: 0 ok, 1 a problem you can fix (the message says how), 2 wrong usage`;

/** Runs one command; returns its exit code (serve resolves when the server stops). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
      case 'worker': {
        const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
        return await runServeCommand(values.config, io, command);
      }
      case 'check': {
        const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
        return await runCheckCommand(values.config, io);
      }
      case 'render': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            config: { type: 'string', short: 'c' },
            source: { type: 'string', default: 'gitee' },
            event: { type: 'string' },
          },
        });
        const [payloadFile] = positionals;
        if (!payloadFile || positionals.length > 1) return usageError(io, 'render takes one PAYLOAD.json');
        return await runRenderCommand(
          { config: values.config, source: values.source ?? 'gitee', event: values.event, payloadFile },
          io,
        );
      }
      case 'send-test': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { config: { type: 'string', short: 'c' } },
        });
        const [sink] = positionals;
        if (!sink || positionals.length > 1) return usageError(io, 'send-test takes one SINK name');
        return await runSendTestCommand(sink, values.config, io);
      }
      case 'deliveries':
        return await runDeliveriesCli(rest, io);
      case 'templates': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { force: { type: 'boolean', default: false } },
        });
        const [sub, dir] = positionals;
        if (sub !== 'eject' || positionals.length > 2)
          return usageError(io, 'usage: hookmux templates eject [DIR]');
        return runTemplatesEjectCommand(dir, values.force ?? false, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        writeLine(io.out, usage);
        return command === undefined ? exitCodes.usage : exitCodes.ok;
      default:
        return usageError(io, `unknown command "${command}"`);
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      return usageError(io, (error as Error).message);
    throw error;
  }
}

function usageError(io: CliIo, message: string): number {
  writeLine(io.err, `hookmux: ${message}\n\n${usage}`);
  return exitCodes.usage;
}
