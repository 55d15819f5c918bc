import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { createHookmux, type Hookmux, loadConfig, MemoryLogger } from '@hookmux/core/internal';

export interface TestHookmux {
  readonly hookmux: Hookmux;
  readonly url: string;
  readonly logger: MemoryLogger;
  readonly dir: string;
  post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

/** Writes `yaml` to a temp folder as hookmux.yaml, loads it like `hookmux serve` would, and listens on a free port. */
export async function startTestHookmux(
  yaml: string,
  options: { env?: Record<string, string>; files?: Record<string, string> } = {},
): Promise<TestHookmux> {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-test-'));
  const file = join(dir, 'hookmux.yaml');
  writeFileSync(file, yaml);
  for (const [name, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const env = { ...options.env };
  const config = await loadConfig(file, { env });
  const logger = new MemoryLogger();
  const hookmux = await createHookmux({ config, logger, env });
  const { url } = await hookmux.listen(0, '127.0.0.1');
  return {
    hookmux,
    url,
    logger,
    dir,
    async post(path, body, headers) {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, json };
    },
    close: () => hookmux.close(),
  };
}

/** Waits until `check` is true (polling), failing after `timeoutMs`: for deliveries that happen in the background. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
