import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MemoryLogger, type InboundRequest, type SourceContext } from '@hookmux/core';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The signing key the plugin's own fixtures were signed with (they are ours, not Gitee's). */
export const ownFixtureSecret = 'fixture-signing-key-9f3b2c';

/** `test/fixtures/<kind>/<scenario>.json`, as the bytes Gitee would send. */
export function readOwnFixture(kind: string, scenario: string): Buffer {
  return readFileSync(join(fixturesDir, kind, `${scenario}.json`));
}

export function parseJson(bytes: Buffer): Record<string, unknown> {
  return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
}

export function buildGiteeRequest(
  body: Buffer | string | object,
  headers: Readonly<Record<string, string | undefined>> = {},
): InboundRequest {
  const rawBody = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    method: 'POST',
    path: '/webhooks/gitee',
    headers: { 'content-type': 'application/json', 'user-agent': 'git-oschina-hook', ...headers },
    query: {},
    params: {},
    rawBody,
    ip: '127.0.0.1',
    receivedAt: 1_700_000_000_000,
  };
}

/** Signature-mode headers taken from a body's own `timestamp` and `sign`, as Gitee sends them. */
export function signedHeadersOf(body: Buffer, event = 'Push Hook'): Record<string, string> {
  const parsed = parseJson(body);
  return {
    'x-gitee-token': String(parsed['sign']),
    'x-gitee-timestamp': String(parsed['timestamp']),
    'x-gitee-event': event,
    'x-gitee-ping': 'false',
  };
}

export function buildContext(
  settings: Readonly<Record<string, unknown>>,
  now: number = Date.now(),
  logger = new MemoryLogger(),
): SourceContext & { logger: MemoryLogger } {
  return { settings, logger, now: () => now };
}
