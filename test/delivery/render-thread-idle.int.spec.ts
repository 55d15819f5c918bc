import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { composeHookmux } from '../../core/src/compose-hookmux.js';
import { parseConfig } from '../../core/src/config/load-config.js';
import type { HookEvent } from '../../core/src/contracts/hook-event.js';
import { encodeStoredEvent, defineStoredEvent } from '../../core/src/delivery/stored-event.js';
import { WorkerSendRenderer } from '../../core/src/delivery/worker-send-renderer.js';
import { MemoryLogger } from '../../core/src/logging/memory-logger.js';

const event: HookEvent = {
  id: 'gitee:1:idle',
  source: 'gitee',
  type: 'push',
  name: 'gitee.push',
  repo: 'acme/app',
  ping: false,
  receivedAt: 1_700_000_000_000,
  summary: '张三 推送到 acme/app',
  payload: {},
  data: {},
};

describe('render threads at rest', () => {
  let renderer: WorkerSendRenderer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-render-idle-'));
  afterEach(async () => {
    await renderer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('end after firstIdleMs without a send, and the next send starts one again', async () => {
    const yaml = `
storage: { type: memory }
sinks:
  team: { type: console }
routes:
  - { when: { source: gitee }, to: team }
`;
    const { config } = parseConfig(yaml, join(dir, 'hookmux.yaml'), { env: {}, cwd: dir });
    if (config === undefined) throw new Error('the config does not parse');
    const logger = new MemoryLogger();
    const { holder, errors } = await composeHookmux({ config, logger });
    expect(errors).toEqual([]);
    const to = holder.current.sinks.get('team');
    if (to === undefined) throw new Error('no sink');
    renderer = new WorkerSendRenderer({
      holder,
      plugins: { extra: [], storageType: 'memory' },
      logger,
      firstIdleMs: 300,
    });
    // The stored form, as a claim hands it on: decoded in the thread.
    const entry = () => defineStoredEvent({ deliveryId: '1', route: 'r' }, encodeStoredEvent(event)) as never;

    expect(renderer.threads).toBe(0);
    const first = await renderer.render({ entries: [entry()], to });
    // The gitee push template's wording, not the fallback (which is the summary).
    expect(first.message.text).toContain('推送到了');
    expect(renderer.threads).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(renderer.threads).toBe(0);

    const second = await renderer.render({ entries: [entry()], to });
    expect(second.message.text).toBe(first.message.text);
    expect(renderer.threads).toBe(1);
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
  }, 30_000);
});
