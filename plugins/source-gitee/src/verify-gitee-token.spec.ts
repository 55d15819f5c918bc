import { describe, expect, it } from '@jest/globals';
import { HookmuxError } from '@hookmux/core';

import { MemoryReplayCache } from './memory-replay-cache.js';
import { readGiteeCredentials, signGiteeTimestamp, verifyGiteeToken } from './verify-gitee-token.js';

// The test vector from gitee-webhooks.md §2b (drone/go-scm webhook_test.go).
const secret = 'bBg5lrt03VixkX85CNqYIcecC0SIGASE';
const timestamp = '1633679083918';
const signature = 'Xvh4YPVe6l31XpDRL9J2yeaEXabsckIoUUschpXiVck=';
const at = Number(timestamp);
const hour = 3_600_000;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (!HookmuxError.is(error)) throw error;
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain(signature);
    expect(error.hint).toBeTruthy();
    return error.code;
  }
}

const viaHeaders = (token: string | undefined, ts: string | undefined) =>
  readGiteeCredentials({ 'x-gitee-token': token, 'x-gitee-timestamp': ts });

describe('signGiteeTimestamp', () => {
  it('should reproduce the documented test vector', () => {
    expect(signGiteeTimestamp(timestamp, secret)).toBe(signature);
  });
});

describe('verifyGiteeToken', () => {
  it('should accept the test vector in signature mode within the window', async () => {
    await expect(
      verifyGiteeToken(viaHeaders(signature, timestamp), { secret, now: at + 59 * 60_000, windowMs: hour }),
    ).resolves.toBe('signature');
  });

  it('should accept the plaintext password', async () => {
    await expect(
      verifyGiteeToken(viaHeaders('s3cret-pass', undefined), {
        secret: 's3cret-pass',
        now: at,
        windowMs: hour,
      }),
    ).resolves.toBe('password');
  });

  it('should refuse the signature made with another secret', async () => {
    expect(
      await codeOf(
        verifyGiteeToken(viaHeaders(signature, timestamp), {
          secret: 'another-secret',
          now: at,
          windowMs: hour,
        }),
      ),
    ).toBe('HM_ERR_SRC_SIGNATURE');
  });

  it('should refuse a wrong password', async () => {
    expect(
      await codeOf(verifyGiteeToken(viaHeaders('guess', undefined), { secret, now: at, windowMs: hour })),
    ).toBe('HM_ERR_SRC_SIGNATURE');
  });

  it('should refuse a timestamp older than the window', async () => {
    expect(
      await codeOf(
        verifyGiteeToken(viaHeaders(signature, timestamp), { secret, now: at + hour + 1, windowMs: hour }),
      ),
    ).toBe('HM_ERR_SRC_STALE_TIMESTAMP');
  });

  it('should refuse a timestamp from the future beyond the window', async () => {
    expect(
      await codeOf(
        verifyGiteeToken(viaHeaders(signature, timestamp), { secret, now: at - 2 * hour, windowMs: hour }),
      ),
    ).toBe('HM_ERR_SRC_STALE_TIMESTAMP');
  });

  it('should refuse the same (timestamp, signature) twice with a replay cache', async () => {
    const replayCache = new MemoryReplayCache();
    const options = { secret, now: at, windowMs: hour, replayCache };
    expect(await codeOf(verifyGiteeToken(viaHeaders(signature, timestamp), options))).toBe('accepted');
    expect(
      await codeOf(verifyGiteeToken(viaHeaders(encodeURIComponent(signature), timestamp), options)),
    ).toBe('HM_ERR_SRC_REPLAY');
  });

  it('should accept the pair again once it has left the window of the cache', () => {
    const replayCache = new MemoryReplayCache();
    expect(replayCache.remember('k', at + 10, at)).toBe(true);
    expect(replayCache.remember('k', at + 10, at + 5)).toBe(false);
    expect(replayCache.remember('k', at + 30, at + 11)).toBe(true);
  });

  it('should refuse a request without any token', async () => {
    expect(
      await codeOf(verifyGiteeToken(viaHeaders(undefined, timestamp), { secret, now: at, windowMs: hour })),
    ).toBe('HM_ERR_SRC_NO_TOKEN');
    expect(
      await codeOf(verifyGiteeToken(viaHeaders('', timestamp), { secret, now: at, windowMs: hour })),
    ).toBe('HM_ERR_SRC_NO_TOKEN');
  });

  it('should tolerate a %-encoded signature', async () => {
    const encoded = encodeURIComponent(signature);
    expect(encoded).toContain('%');
    await expect(
      verifyGiteeToken(viaHeaders(encoded, timestamp), { secret, now: at, windowMs: hour }),
    ).resolves.toBe('signature');
  });

  it('should not crash on a malformed %-sequence', async () => {
    expect(
      await codeOf(verifyGiteeToken(viaHeaders('%E0%A4%A', timestamp), { secret, now: at, windowMs: hour })),
    ).toBe('HM_ERR_SRC_SIGNATURE');
  });

  it('should refuse a signature without a timestamp', async () => {
    expect(
      await codeOf(verifyGiteeToken(viaHeaders(signature, undefined), { secret, now: at, windowMs: hour })),
    ).toBe('HM_ERR_SRC_SIGNATURE');
  });
});

describe('readGiteeCredentials', () => {
  it('should fall back to the body sign and timestamp when the headers are missing', async () => {
    const credentials = readGiteeCredentials({}, { password: '', sign: signature, timestamp });
    expect(credentials).toEqual({ token: signature, timestamp, from: 'body' });
    await expect(verifyGiteeToken(credentials, { secret, now: at, windowMs: hour })).resolves.toBe(
      'signature',
    );
  });

  it('should fall back to the body password, treating an empty header as missing', async () => {
    const credentials = readGiteeCredentials(
      { 'x-gitee-token': '' },
      { password: 'test12345', sign: '', timestamp: null },
    );
    expect(credentials.from).toBe('body');
    await expect(
      verifyGiteeToken(credentials, { secret: 'test12345', now: at, windowMs: hour }),
    ).resolves.toBe('password');
  });

  it('should prefer the headers over the body', () => {
    const credentials = readGiteeCredentials(
      { 'x-gitee-token': signature, 'x-gitee-timestamp': timestamp },
      { sign: 'other', timestamp: '1' },
    );
    expect(credentials).toEqual({ token: signature, timestamp, from: 'header' });
  });
});
