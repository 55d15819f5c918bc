import { readFile } from 'node:fs/promises';

import type { Queue } from '../../contracts/queue.js';
import { HookmuxError } from '../../errors/hookmux-error.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { Intake } from '../../runtime/intake.js';
import { renderPayload } from '../../runtime/render-payload.js';
import { RuntimeHolder } from '../../runtime/runtime-holder.js';
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
 * Tokens are not checked and nothing is sent (the same dry run as the admin playground).
 */
export async function runRenderCommand(options: RenderOptions, io: CliIo): Promise<number> {
  const loaded = await loadForCli(options.config, io);
  if (!loaded.runtime) {
    for (const error of loaded.errors) writeLine(io.err, `✗ ${error.describe()}`);
    return exitCodes.failure;
  }
  let payload: string;
  try {
    payload = await readFile(options.payloadFile, 'utf8');
  } catch {
    writeLine(io.err, `✗ cannot read ${options.payloadFile}`);
    return exitCodes.failure;
  }
  const logger = new MemoryLogger();
  const holder = loaded.holder ?? new RuntimeHolder(loaded.runtime);
  try {
    const rendered = await renderPayload(
      { source: options.source, payload, ...(options.event ? { event: options.event } : {}) },
      { holder, intake: new Intake(holder, noQueue, logger), logger },
    );
    const output = {
      event: rendered.event.name,
      id: rendered.event.id,
      deliveries: rendered.deliveries.map((d) => ({
        route: d.route,
        sink: d.sink,
        type: d.type,
        body: d.body,
      })),
      ...(rendered.noRoute ? { noRoute: rendered.noRoute } : {}),
    };
    writeLine(io.out, JSON.stringify(output, undefined, 2));
    if (rendered.noRoute) {
      writeLine(io.err, `${rendered.event.name}: no route matched`);
      for (const line of rendered.noRoute) writeLine(io.err, `  ${line}`);
    }
    return exitCodes.ok;
  } catch (error) {
    if (!HookmuxError.is(error)) throw error;
    writeLine(io.err, `✗ ${error.describe()}`);
    return exitCodes.failure;
  }
}
