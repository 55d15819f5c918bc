import { setFlagsFromString } from 'node:v8';

/** How far V8 lets the heap grow past what survived the last full collection, in percent. */
export const serverHeapGrowingPercent = 30;

const flagPattern = /--heap[-_]growing[-_]percent\b/;

/**
 * A long-running `serve` / `worker` keeps its heap near what it uses. By default V8 lets the old
 * generation grow to up to four times what survived the last full collection before collecting
 * again: under a webhook flood that is over 100 MB of garbage held on the main thread alone, for
 * a live heap of 30 MB. Growing by 30 % instead costs more frequent full collections (a few ms
 * each on a heap this small, mostly incremental) and no measurable throughput (BENCHMARKS.md). A
 * `--heap-growing-percent` given to node itself (command line or NODE_OPTIONS) wins.
 *
 * The flag is read each time V8 sets the next limit, so setting it after start-up takes effect.
 */
export function tuneHeapForServer(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): boolean {
  if ([...execArgv, nodeOptions].some((arg) => flagPattern.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${serverHeapGrowingPercent}`);
  return true;
}
