import { describe, expect, it } from '@jest/globals';

import { HookmuxError } from '../errors/hookmux-error.js';
import { parseByteSize, parseDuration, parseRateLimit } from './parse-units.js';

describe('parseDuration', () => {
  it.each([
    [1500, 1500],
    ['1500', 1500],
    ['250ms', 250],
    ['90s', 90_000],
    ['10m', 600_000],
    ['10min', 600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
    [' 2s ', 2000],
    ['0', 0],
  ])('should read %p as %p ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    '',
    'soon',
    '10 parsecs',
    '-5s',
    '5y',
    '1e3s',
    '99999999999999999d',
    Number.NaN,
    -1,
    Number.POSITIVE_INFINITY,
  ])('should refuse %p with a coded error that says what a duration looks like', (input) => {
    expect(() => parseDuration(input)).toThrow(HookmuxError);
    expect(() => parseDuration(input)).toThrow(
      /is not a duration \(expected a duration like 1500 \(ms\), 90s/,
    );
  });

  it('should cut a long bad value short in its message', () => {
    const error = catchError(() => parseDuration('x'.repeat(5000)));
    expect(error.code).toBe('HM_ERR_CFG_INVALID');
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('parseByteSize', () => {
  it.each([
    [1024, 1024],
    ['100', 100],
    ['100b', 100],
    ['512kb', 512 * 1024],
    ['5mb', 5 * 1024 * 1024],
    ['5MB', 5 * 1024 * 1024],
    ['5MiB', 5 * 1024 * 1024],
    ['1.5m', 1.5 * 1024 * 1024],
    ['1gb', 1024 ** 3],
  ])('should read %p as %p bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each(['huge', '5tb', '5 megabytes', '-1kb', ''])('should refuse %p', (input) => {
    expect(() => parseByteSize(input)).toThrow(/is not a size \(expected a size like 5mb/);
  });
});

describe('parseRateLimit', () => {
  it.each([
    ['20/min', { count: 20, windowMs: 60_000 }],
    ['5/s', { count: 5, windowMs: 1000 }],
    ['100/h', { count: 100, windowMs: 3_600_000 }],
    [' 30 / 10s ', { count: 30, windowMs: 10_000 }],
    ['20/minute', { count: 20, windowMs: 60_000 }],
    ['7/2hours', { count: 7, windowMs: 7_200_000 }],
  ])('should read %p', (input, limit) => {
    expect(parseRateLimit(input)).toEqual(limit);
  });

  it.each(['20', '20 per minute', '0/min', '20/fortnight', '/min', '20/0s', 'abc/s'])(
    'should refuse %p',
    (input) => {
      expect(() => parseRateLimit(input)).toThrow(/is not a rate limit \(expected e\.g\. 20\/min/);
    },
  );
});

function catchError(run: () => unknown): HookmuxError {
  try {
    run();
  } catch (error) {
    if (HookmuxError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a HookmuxError');
}
