import { readFile } from 'node:fs/promises';

import type { InboundRequest } from '../../contracts/source.js';
import { HookmuxError } from '../../errors/hookmux-error.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { Intake } from '../../runtime/intake.js';
import { RuntimeHolder } from '../../runtime/runtime-holder.js';
import type { Queue } from '../../contracts/queue.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { loadForCli } from '../load-for-cli.js';

export interface RenderOptions {
  readonly config: string | undefined;
  readonly source: string;
  /** The hook kind as the source's event header says it (`Push Hook`), if the payload does not say. */
  readonly event: string | undefined;
  readonly payloadFile: string;
}

/** A queue that refuses: a dry run must never send or store anything. */
const noQueue: Queue = {
  enqueue: () => Promise.reject(new Error('render is a dry run')),
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};

/**
 * `hookmux render`: what one payload would produce, as JSON: each (route, sink, request body).
 * Tokens are not checked and nothing is sent.
 */
export async function runRenderCommand(options: RenderOptions, io: CliIo): Promise<number> {
  const loaded = await loadForCli(options.config, io);
  if (!loaded.runtime) {
    for (const error of loaded.errors) writeLine(io.err, `✗ ${error.describe()}`);
    return exitCodes.failure;
  }
  const active = loaded.runtime.sources.get(options.source);
  if (!active) {
    writeLine(
      io.err,
      `✗ no source "${options.source}" in ${loaded.file} (configured: ${[...loaded.runtime.sources.keys()].join(', ') || 'none'})`,
    );
    return exitCodes.failure;
  }
  let rawBody: Buffer;
  try {
    rawBody = await readFile(options.payloadFile);
  } catch {
    writeLine(io.err, `✗ cannot read ${options.payloadFile}`);
    return exitCodes.failure;
  }
  const now = Date.now();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.event) {
    headers[`x-${options.source}-event`] = options.event;
  }
  const request: InboundRequest = {
    method: 'POST',
    path: '/',
    headers,
    query: {},
    params: {},
    rawBody,
    ip: '127.0.0.1',
    receivedAt: now,
  };
  const logger = new MemoryLogger();
  const holder = new RuntimeHolder(loaded.runtime);
  try {
    const event = await active.source.receive(request, {
      settings: active.settings,
      logger,
      now: () => now,
      skipVerification: true,
    });
    const plan = new Intake(holder, noQueue, logger).plan(event);
    const output = {
      event: event.name,
      id: event.id,
      deliveries: plan.map((d) => {
        const resolved = holder.resolve(d.sink);
        return {
          route: d.route,
          sink: d.sink,
          type: resolved?.target.type,
          body: resolved ? resolved.sink.toRequestBody(d.message, resolved.target) : undefined,
        };
      }),
    };
    writeLine(io.out, JSON.stringify(output, undefined, 2));
    return exitCodes.ok;
  } catch (error) {
    if (!HookmuxError.is(error)) throw error;
    writeLine(io.err, `✗ ${error.describe()}`);
    return exitCodes.failure;
  }
}
