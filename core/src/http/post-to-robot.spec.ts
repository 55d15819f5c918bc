import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { DeliveryResult } from '../contracts/sink.js';
import { MemoryLogger } from '../logging/memory-logger.js';
import { classifyTransportFailure, postToRobot } from './post-to-robot.js';

describe('classifyTransportFailure', () => {
  it('tells a timeout, a caller abort and a network error apart, all retryable', () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyTransportFailure(timeout, 'WeCom robot', false)).toEqual({
      ok: false,
      kind: 'retryable',
      code: 'timeout',
      detail: 'the WeCom robot did not answer in time',
    });
    expect(classifyTransportFailure(timeout, 'WeCom robot', true)).toMatchObject({
      kind: 'retryable',
      code: 'aborted',
    });
    expect(classifyTransportFailure(refused, 'Feishu bot', false)).toEqual({
      ok: false,
      kind: 'retryable',
      code: 'ECONNREFUSED',
      detail: 'no answer from the Feishu bot: connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(classifyTransportFailure('weird', 'robot', false)).toMatchObject({
      kind: 'retryable',
      code: 'network',
    });
  });
});

describe('postToRobot against a robot that never answers', () => {
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer(() => {
      // Never answers: only the caller's timeout or signal ends the request.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (signal: AbortSignal | undefined, timeoutMs: number): Promise<DeliveryResult> =>
    postToRobot(
      url,
      {},
      {
        robot: 'test robot',
        timeoutMs,
        context: { logger: new MemoryLogger(), ...(signal ? { signal } : {}) },
        classify: () => ({ ok: true }),
      },
    );

  it('calls its own timeout a timeout', async () => {
    await expect(post(undefined, 50)).resolves.toMatchObject({ kind: 'retryable', code: 'timeout' });
  });

  it("calls the dispatcher's timeout (a signal that timed out) a timeout too, not a cancellation", async () => {
    await expect(post(AbortSignal.timeout(50), 5_000)).resolves.toMatchObject({ code: 'timeout' });
  });

  it('calls a stop (a plain abort) a cancellation', async () => {
    const controller = new AbortController();
    const sending = post(controller.signal, 5_000);
    setTimeout(() => controller.abort(), 20);
    await expect(sending).resolves.toMatchObject({ kind: 'retryable', code: 'aborted' });
  });
});
