#!/usr/bin/env node
import { type CliIo, exitCodes } from './cli-io.js';
import { runCli } from './run-cli.js';

const io: CliIo = {
  out: process.stdout,
  err: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  cwd: process.cwd(),
};

// `hookmux --help | head`: the reader went away; nothing is left to say.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCodes.ok);
  throw error;
});

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = exitCodes.failure;
  },
);
