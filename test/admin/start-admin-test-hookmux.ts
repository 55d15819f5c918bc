import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type Router from '@koa/router';
import { createHookmux, loadConfig, MemoryLogger } from '@hookmux/core';

import { createAdminRouter } from '../../core/src/admin/create-admin-router.js';
import type { TestHookmux } from '../helpers/start-test-hookmux.js';

/**
 * `startTestHookmux` with the admin router mounted. Once the composition root mounts it itself
 * (createApp's `routers`), that router is used as is and this only adds nothing; until then the
 * router is put where createApp puts extra routers: after the error handler, before the sources
 * and the final 404.
 */
export async function startAdminTestHookmux(
  yaml: string,
  options: { env?: Record<string, string> } = {},
): Promise<TestHookmux> {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-admin-'));
  const file = join(dir, 'hookmux.yaml');
  writeFileSync(file, yaml);
  const config = await loadConfig(file, { env: { ...options.env } });
  const logger = new MemoryLogger();
  const hookmux = await createHookmux({ config, logger });
  if (!hasAdminRouter(hookmux.app.middleware)) {
    const router = createAdminRouter({
      token: () => hookmux.holder.current.config.admin.token,
      holder: hookmux.holder,
      intake: hookmux.intake,
      store: hookmux.queue,
      events: hookmux.events,
      logger,
    });
    hookmux.app.middleware.splice(1, 0, router.routes() as (typeof hookmux.app.middleware)[number]);
  }
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

function hasAdminRouter(middleware: readonly unknown[]): boolean {
  return middleware.some((mw) =>
    ((mw as { router?: Router }).router?.stack ?? []).some((layer) => layer.path === '/api/deliveries'),
  );
}

/** `test-artifacts/` at the repo root (git-ignored), for screenshots. */
export function artifactsDir(): string {
  const dir = join(import.meta.dirname, '..', '..', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
