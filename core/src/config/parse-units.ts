import type { RateLimit } from '../contracts/sink.js';
import { HookmuxError } from '../errors/hookmux-error.js';

const durationUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

// 1024-based like the `bytes` package koa users know, so `5mb` means what koa-bodyparser means.
const byteUnits: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

const rateWindows: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

const amountWithUnit = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/** `1500` (ms), `'90s'`, `'10m'`, `'24h'`, `'7d'` → milliseconds. */
export function parseDuration(input: string | number): number {
  const expected = 'expected a duration like 1500 (ms), 90s, 10m, 24h or 7d';
  return parseAmount(input, durationUnits, 'ms', `is not a duration (${expected})`);
}

/** `'5mb'`, `'512kb'`, `1048576` → bytes. */
export function parseByteSize(input: string | number): number {
  const expected = 'expected a size like 5mb, 512kb or a number of bytes';
  return parseAmount(input, byteUnits, 'b', `is not a size (${expected})`);
}

/** `'20/min'`, `'5/s'`, `'100/h'`, `'30/10s'` → how many messages per window. */
export function parseRateLimit(input: string): RateLimit {
  const match = /^\s*(\d+)\s*\/\s*(\d+)?\s*([a-z]+)\s*$/i.exec(input);
  const count = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  const windows = match?.[2] === undefined ? 1 : Number(match[2]);
  const unit = match?.[3] === undefined ? undefined : rateWindows[match[3].toLowerCase()];
  const windowMs = unit === undefined ? Number.NaN : unit * windows;
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(windowMs) || windowMs < 1) {
    throw new HookmuxError(
      'HM_ERR_CFG_INVALID',
      `${quote(input)} is not a rate limit (expected e.g. 20/min, 5/s or 100/h)`,
    );
  }
  return { count, windowMs };
}

function parseAmount(
  input: string | number,
  units: Readonly<Record<string, number>>,
  bare: string,
  problem: string,
): number {
  let amount: number;
  let factor: number | undefined;
  if (typeof input === 'number') {
    amount = input;
    factor = 1;
  } else {
    const match = amountWithUnit.exec(String(input));
    amount = match?.[1] === undefined ? Number.NaN : Number(match[1]);
    const unit = (match?.[2] ?? '').toLowerCase();
    factor = units[unit === '' ? bare : unit];
  }
  const value = factor === undefined ? Number.NaN : Math.round(amount * factor);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HookmuxError('HM_ERR_CFG_INVALID', `${quote(input)} ${problem}`);
  }
  return value;
}

/** Bad input is echoed for the user to spot, cut short so a pasted blob cannot flood the log. */
function quote(input: unknown): string {
  const text = typeof input === 'string' ? input : String(input);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
