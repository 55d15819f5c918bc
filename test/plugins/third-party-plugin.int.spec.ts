import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { HookmuxError, type HookEvent } from '@hookmux/core';
import {
  buildRuntime,
  Container,
  loadPlugins,
  parseConfig,
  readPlugins,
  registeredErrorCodes,
} from '@hookmux/core/internal';

/**
 * A third-party source plugin as npm would install it (plain JS in node_modules, importing only
 * the curated @hookmux/core), shipping its own templates, event names, samples and error codes.
 */
const demoIndex = `
import { ContainerModule, HookmuxError, Source, defineErrorCodes, toEventName } from '@hookmux/core';

export const demoErrors = defineErrorCodes('DEMO', {
  HM_ERR_DEMO_NO_LEVEL: { status: 400, message: 'the alert has no level' },
});

class DemoSource {
  id = 'demo';
  configSchema = { type: 'object', additionalProperties: false, properties: {} };
  secretKeys = [];
  eventNames = ['demo.alert.fire', 'demo.alert.resolve'];
  samples = [{ label: 'Disk almost full', event: 'alert', payload: { action: 'fire', level: 'high', text: 'disk 95%' } }];
  endpoints() { return [{ method: 'POST', path: '/webhooks/demo' }]; }
  receive(request) {
    const body = JSON.parse(request.rawBody.toString('utf8'));
    if (!body.level) throw new HookmuxError(demoErrors.HM_ERR_DEMO_NO_LEVEL, undefined, { hint: 'send level' });
    return {
      id: 'demo:' + body.text, source: 'demo', type: 'alert', action: body.action,
      name: toEventName('demo', 'alert', body.action), ping: false, receivedAt: request.receivedAt,
      summary: body.text, payload: body, data: { level: body.level, text: body.text },
    };
  }
}

export default new ContainerModule(({ bind }) => { bind(Source).toConstantValue(new DemoSource()); });
`;

function installDemo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-third-party-'));
  const pkg = join(dir, 'node_modules', 'hookmux-source-demo');
  mkdirSync(join(pkg, 'templates', 'demo'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'hookmux-source-demo',
      version: '1.0.0',
      type: 'module',
      main: 'index.js',
      files: ['index.js', 'templates'],
      hookmux: { kind: 'source', id: 'demo', core: '>=0.1.0 <1 || ^1.0.0', templates: 'templates' },
    }),
  );
  writeFileSync(join(pkg, 'index.js'), demoIndex);
  writeFileSync(join(pkg, 'templates', 'demo', 'alert.fire.md.hbs'), '**告警** {{level}}: {{text}}\n');
  return dir;
}

async function load(yaml: string) {
  const dir = installDemo();
  const { config, errors } = parseConfig(yaml, join(dir, 'hookmux.yaml'), { env: {} });
  expect(errors).toEqual([]);
  if (!config) throw new Error('no config');
  const loaded = await loadPlugins({
    extra: config.plugins,
    searchFrom: [dir, process.cwd()],
    storageType: 'memory',
  });
  expect(loaded.errors).toEqual([]);
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...loaded.plugins.map((p) => p.module));
  return buildRuntime(config, readPlugins(container, loaded.plugins));
}

const yaml = (event: string): string => `
storage: { type: memory }
plugins: [hookmux-source-demo]
sources: { demo: {} }
sinks: { chat: { type: console, format: md } }
routes:
  - { name: alerts, when: { source: demo, event: ${event} }, to: chat }
`;

describe('a third-party plugin (installed from npm) contributes templates, event names, samples and error codes', () => {
  it("renders the plugin's event with the template the plugin ships", async () => {
    const { runtime, errors } = await load(yaml('alert.fire'));
    expect(errors).toEqual([]);
    const active = runtime?.sources.get('demo');
    expect(active?.source.samples?.map((s) => s.label)).toEqual(['Disk almost full']);
    const event = (await active?.source.receive(
      {
        method: 'POST',
        path: '/webhooks/demo',
        headers: {},
        query: {},
        params: {},
        rawBody: Buffer.from(JSON.stringify(active.source.samples?.[0]?.payload)),
        ip: '127.0.0.1',
        receivedAt: 0,
      },
      { settings: {}, logger: undefined as never, now: () => 0 },
    )) as HookEvent;
    const chat = runtime?.sinks.get('chat');
    if (!runtime || !chat) throw new Error('no runtime');
    const message = runtime.renderer.render(event, { sink: chat.sink, target: chat.target });
    expect(message.text).toBe('**告警** high: disk 95%');
  });

  it('check knows its event names: a misspelt one is refused with a suggestion', async () => {
    const { runtime, errors } = await load(yaml('alert.fier'));
    expect(runtime).toBeUndefined();
    expect(errors.map((e) => e.describe())).toEqual([
      expect.stringMatching(
        /^routes\[0\]\.when\.event: no event "alert\.fier" from demo \(did you mean "alert\.fire"\?/,
      ),
    ]);
  });

  it('raises its own registered error code, with its status', async () => {
    const { runtime } = await load(yaml('alert'));
    const source = runtime?.sources.get('demo')?.source;
    const request = {
      method: 'POST',
      path: '/webhooks/demo',
      headers: {},
      query: {},
      params: {},
      rawBody: Buffer.from('{"text":"x"}'),
      ip: '127.0.0.1',
      receivedAt: 0,
    };
    let raised: unknown;
    try {
      await source?.receive(request, { settings: {}, logger: undefined as never, now: () => 0 });
    } catch (error) {
      raised = error;
    }
    expect(HookmuxError.is(raised)).toBe(true);
    expect([(raised as HookmuxError).code, (raised as HookmuxError).status]).toEqual([
      'HM_ERR_DEMO_NO_LEVEL',
      400,
    ]);
    expect(registeredErrorCodes().get('HM_ERR_DEMO_NO_LEVEL')?.prefix).toBe('DEMO');
  });
});
