import { hostname } from 'node:os';

import type { DeliveryResult } from '../../contracts/sink.js';
import { MemoryLogger } from '../../logging/memory-logger.js';
import { type CliIo, exitCodes, writeLine } from '../cli-io.js';
import { formatTime } from './deliveries.js';
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
      `✗ 没有名为 "${sinkName}" 的 sink no sink named "${sinkName}" (configured: ${[...loaded.runtime.sinks.keys()].join(', ') || 'none'})`,
    );
    return exitCodes.failure;
  }
  const format = resolved.sink.templateFormat(resolved.target);
  const now = Date.now();
  const when = formatTime(now, loaded.config?.templates.timeZone);
  const title = 'hookmux 测试消息';
  const text =
    format === 'md'
      ? `**${title}**\n来自 ${hostname()} 的 sink \`${sinkName}\`，${when}。收到这条消息说明配置可用。`
      : `${title}：来自 ${hostname()} 的 sink ${sinkName}，${when}。收到这条消息说明配置可用。`;
  const result = await resolved.sink.send(
    {
      eventId: `send-test:${now}`,
      eventName: 'hookmux.send_test',
      sink: sinkName,
      format,
      text,
      fields: { title, description: text },
      mentions: { userIds: [], mobiles: [], all: false },
      summary: title,
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
    return `ok: ${sinkName} accepted the message${result.code !== undefined ? ` (code ${result.code})` : ''}（机器人已接收）`;
  const code = result.code !== undefined ? ` ${result.code}` : '';
  const what = {
    throttled:
      '机器人正在限流（窗口内消息过多），hookmux 会等待后重试 the robot is throttling; hookmux would wait and retry',
    retryable:
      '临时失败（机器人繁忙、5xx、超时或连接问题），hookmux 会退避重试 a temporary failure; hookmux would retry with backoff',
    permanent:
      '机器人拒绝了这条消息，hookmux 会将其转入死信；请检查 sink 设置（key、URL、format）the robot refused it; check the sink settings',
  }[result.kind];
  return `failed (${result.kind}${code}): ${result.detail}\n  ${what}`;
}
