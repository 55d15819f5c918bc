import { hostname } from 'node:os';

import type { DeliveryResult } from '../../contracts/sink.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { loadForCli } from '../load-for-cli.js';

/** `hookmux send-test SINK`: one short message, and the robot's answer in words. */
export async function runSendTestCommand(
  sinkName: string,
  configOption: string | undefined,
  io: CliIo,
): Promise<number> {
  const loaded = await loadForCli(configOption, io);
  if (!loaded.runtime) {
    for (const error of loaded.errors) writeLine(io.err, `✗ ${error.describe()}`);
    return exitCodes.failure;
  }
  const resolved = loaded.runtime.sinks.get(sinkName);
  if (!resolved) {
    writeLine(
      io.err,
      `✗ no sink named "${sinkName}" (configured: ${[...loaded.runtime.sinks.keys()].join(', ') || 'none'})`,
    );
    return exitCodes.failure;
  }
  const format = resolved.sink.templateFormat(resolved.target);
  const when = new Date().toISOString();
  const text =
    format === 'md'
      ? `**hookmux test message**\nsink \`${sinkName}\` on ${hostname()} at ${when}`
      : `hookmux test message: sink ${sinkName} on ${hostname()} at ${when}`;
  const result = await resolved.sink.send(
    {
      eventId: `send-test:${when}`,
      eventName: 'hookmux.send_test',
      sink: sinkName,
      format,
      text,
      fields: { title: 'hookmux test message', description: text },
      mentions: { userIds: [], mobiles: [], all: false },
      summary: 'hookmux test message',
      count: 1,
    },
    resolved.target,
    {
      logger: new MemoryLogger(),
      signal: AbortSignal.timeout(resolved.timeoutMs),
      timeoutMs: resolved.timeoutMs,
    },
  );
  writeLine(result.ok ? io.out : io.err, describeResult(sinkName, result));
  return result.ok ? exitCodes.ok : exitCodes.failure;
}

export function describeResult(sinkName: string, result: DeliveryResult): string {
  if (result.ok)
    return `ok: ${sinkName} accepted the message${result.code !== undefined ? ` (code ${result.code})` : ''}`;
  const code = result.code !== undefined ? ` ${result.code}` : '';
  const what = {
    throttled: 'the robot is throttling (too many messages in its window); hookmux would wait and retry',
    retryable:
      'a temporary failure (robot busy, 5xx, timeout or connection problem); hookmux would retry with backoff',
    permanent:
      'the robot refused the message; hookmux would dead-letter it. Check the sink settings (key, URL, format)',
  }[result.kind];
  return `failed (${result.kind}${code}): ${result.detail}\n  ${what}`;
}
