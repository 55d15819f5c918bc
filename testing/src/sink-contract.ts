import { createServer } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import {
  MemoryLogger,
  noMentions,
  type DeliveryResult,
  type Message,
  type Sink,
  type SinkTarget,
} from '@hookmux/core';

/**
 * The table every sink passes (STYLE.md: "ok, robot error codes, 5xx, timeout, connection
 * reset, against a fake robot on 127.0.0.1"). A suite names its sink, how to start its fake
 * robot and how to point a target at it; each row arranges the fake, sends one message and
 * states the typed result. Every row also checks that no secret of the target reaches the log
 * or the result, and that a failure is not logged as a warning or error by the sink (the
 * dispatcher logs each failed attempt once) but as one debug line with its code. A suite whose
 * fake takes `script` also gets the shared rows for the dispatcher's `timeoutMs` and for
 * `Retry-After`.
 */
export interface SinkContractSuite<TFake> {
  /** Shown in the test names (`wecom`). */
  readonly name: string;
  readonly createSink: () => Sink;
  /** A fresh, started fake per row, so that scripts and rate-limit history never leak between rows. */
  readonly startFake: () => Promise<TFake>;
  readonly stopFake: (fake: TFake) => Promise<void>;
  /** The target pointing at the fake; rows may replace its settings. */
  readonly target: (fake: TFake) => SinkTarget;
  /** Strings that must never appear in logs or results (robot keys, tokens, full URLs). */
  readonly secrets: (target: SinkTarget, fake: TFake) => readonly string[];
  readonly cases: readonly SinkContractCase<TFake>[];
  /** Scripts the fake's next answer: adds the shared timeout and `Retry-After` rows. */
  readonly script?: (fake: TFake, answer: ContractScript) => void;
}

/** The answers every fake robot can be scripted with. */
export type ContractScript =
  | { readonly httpStatus: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly delayMs: number };

export interface SinkContractCase<TFake> {
  readonly name: string;
  /** Script the fake, or return settings to merge into the target (a short timeout, another URL). */
  readonly arrange?: (
    fake: TFake,
  ) => void | Readonly<Record<string, unknown>> | Promise<void | Readonly<Record<string, unknown>>>;
  /** Defaults to `buildContractMessage()`. */
  readonly message?: Message;
  /** What the dispatcher passes beside the logger (`timeoutMs`). */
  readonly context?: { readonly timeoutMs?: number };
  readonly expected: ExpectedResult;
  /** Further checks on what the fake saw. */
  readonly verify?: (fake: TFake, result: DeliveryResult) => void;
}

export type ExpectedResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly kind: 'throttled' | 'retryable' | 'permanent';
      readonly code?: number | string;
    };

/** A plain message with Chinese text, a link and no mentions; override what a row needs. */
export function buildContractMessage(overrides: Partial<Message> = {}): Message {
  return {
    eventId: 'contract-event-1',
    eventName: 'gitee.push.update',
    sink: 'contract',
    format: 'md',
    text: '**zhangsan** 推送了 2 个提交到 [acme/widgets](https://gitee.example/acme/widgets) 的 main 分支',
    fields: {
      title: 'acme/widgets: 2 个新提交',
      description: '修复登录超时',
      url: 'https://gitee.example/acme/widgets/compare',
    },
    mentions: noMentions,
    url: 'https://gitee.example/acme/widgets/compare',
    summary: 'zhangsan pushed 2 commits to acme/widgets main',
    count: 1,
    ...overrides,
  };
}

/** A URL on 127.0.0.1 where nothing listens: connection refused, without leaving the machine. */
export async function findClosedUrl(path = '/'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/**
 * The rows for what the dispatcher hands a sink and what a sink hands back about waiting: its
 * `timeoutMs` beats the section's own `timeout:` and the 10 s default, both ways; `Retry-After`
 * in seconds or as an HTTP date becomes `retryAfterMs`.
 */
export function timingCases<TFake>(
  script: (fake: TFake, answer: ContractScript) => void,
): SinkContractCase<TFake>[] {
  const retryAfterOf = (result: DeliveryResult): number | undefined =>
    result.ok ? undefined : result.retryAfterMs;
  return [
    {
      name: "the dispatcher's timeoutMs cuts a slow answer off, under the 10 s default",
      arrange: (fake) => script(fake, { delayMs: 5_000 }),
      context: { timeoutMs: 150 },
      expected: { ok: false, kind: 'retryable', code: 'timeout' },
    },
    {
      name: "the dispatcher's timeoutMs lets a robot slower than the section's timeout deliver",
      arrange: (fake) => {
        script(fake, { delayMs: 400 });
        return { timeout: '100ms' };
      },
      context: { timeoutMs: 5_000 },
      expected: { ok: true },
    },
    {
      name: 'HTTP 429 with Retry-After: 3 is throttled for 3000 ms',
      arrange: (fake) => script(fake, { httpStatus: 429, body: '', headers: { 'retry-after': '3' } }),
      expected: { ok: false, kind: 'throttled', code: 'http_429' },
      verify: (_fake, result) => expect(retryAfterOf(result)).toBe(3000),
    },
    {
      name: 'HTTP 429 with Retry-After as an HTTP date waits until then',
      arrange: (fake) =>
        script(fake, {
          httpStatus: 429,
          body: '',
          headers: { 'retry-after': new Date(Date.now() + 4_000).toUTCString() },
        }),
      expected: { ok: false, kind: 'throttled', code: 'http_429' },
      // The date has whole seconds: between 3 s and 4 s from when it was written.
      verify: (_fake, result) => {
        expect(retryAfterOf(result)).toBeGreaterThan(2_000);
        expect(retryAfterOf(result)).toBeLessThanOrEqual(4_000);
      },
    },
    {
      name: 'HTTP 503 with Retry-After: 5 is retryable after at least 5000 ms',
      arrange: (fake) => script(fake, { httpStatus: 503, headers: { 'retry-after': '5' } }),
      expected: { ok: false, kind: 'retryable', code: 'http_503' },
      verify: (_fake, result) => expect(retryAfterOf(result)).toBe(5000),
    },
  ];
}

/** Registers the suite's rows as jest tests. */
export function describeSinkContract<TFake>(suite: SinkContractSuite<TFake>): void {
  const cases = [...suite.cases, ...(suite.script ? timingCases(suite.script) : [])];
  describe(`${suite.name} sink contract`, () => {
    const sink = suite.createSink();
    let fake: TFake;

    beforeEach(async () => {
      fake = await suite.startFake();
    });
    afterEach(async () => {
      await suite.stopFake(fake);
    });

    it.each(cases.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
      const base = suite.target(fake);
      const extra = (await row.arrange?.(fake)) ?? {};
      const target: SinkTarget = { ...base, settings: { ...base.settings, ...extra } };
      const logger = new MemoryLogger();

      const result = await sink.send(row.message ?? buildContractMessage(), target, {
        logger,
        ...row.context,
      });

      assertResult(result, row.expected);
      const secrets = suite.secrets(target, fake).filter((s) => s !== '');
      expect(secrets.length).toBeGreaterThan(0);
      const seen = `${logger.text()}\n${JSON.stringify(result)}`;
      for (const secret of secrets) expect(seen).not.toContain(secret);
      // The dispatcher logs each failed attempt once; the sink only adds its detail at debug.
      expect(logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      if (!result.ok) {
        const debug = logger.lines.filter((l) => l.level === 'debug');
        expect(debug).toHaveLength(1);
        expect(JSON.stringify(debug)).toContain(String(result.code));
      }
      row.verify?.(fake, result);
    });
  });
}

function assertResult(result: DeliveryResult, expected: ExpectedResult): void {
  if (expected.ok) {
    expect(result).toMatchObject({ ok: true });
    return;
  }
  expect(result).toMatchObject({ ok: false, kind: expected.kind });
  if (expected.code !== undefined) expect(result).toMatchObject({ code: expected.code });
  if (!result.ok) expect(result.detail).not.toBe('');
}
