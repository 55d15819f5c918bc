/** Where a command writes; tests pass buffers. */
export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
