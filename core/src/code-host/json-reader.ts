/**
 * Null-safe readers for code-host JSON: hosts send `null` where others send `[]` or `{}`, and
 * numbers where docs say strings, so every read goes through these instead of trusting the shape.
 */
export type JsonRecord = Readonly<Record<string, unknown>>;

export function isJsonRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readRecord(source: unknown, key: string): JsonRecord | undefined {
  if (!isJsonRecord(source)) return undefined;
  const value = source[key];
  return isJsonRecord(value) ? value : undefined;
}

/** Strings as they are; numbers as their decimal text (issue numbers come as either). */
export function readString(source: unknown, key: string): string | undefined {
  if (!isJsonRecord(source)) return undefined;
  const value = source[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Like `readString`, but an empty string counts as missing. */
export function readText(source: unknown, key: string): string | undefined {
  const value = readString(source, key);
  return value === undefined || value === '' ? undefined : value;
}

export function readNumber(source: unknown, key: string): number | undefined {
  if (!isJsonRecord(source)) return undefined;
  const value = source[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function readBoolean(source: unknown, key: string): boolean | undefined {
  if (!isJsonRecord(source)) return undefined;
  const value = source[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** The array's object items; `null`, a missing key or a non-array all read as `[]`. */
export function readRecords(source: unknown, key: string): JsonRecord[] {
  if (!isJsonRecord(source)) return [];
  const value = source[key];
  return Array.isArray(value) ? value.filter(isJsonRecord) : [];
}

/** First defined value, for Gitee's many copies of the same fact. */
export function pickFirst<T>(...values: readonly (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

/** Gitee text can be huge (commit messages, issue bodies): keep templates and logs bounded. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  // Never split a surrogate pair (emoji): a lone half renders as garbage in the robot.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** One plain line: newlines and runs of white space collapse to one space. */
export function toOneLine(text: string, max = 120): string {
  return truncateText(text.replace(/\s+/g, ' ').trim(), max);
}
