import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody } from '../helpers/gitee-push.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

describe('hookmux render', () => {
  const robot = new FakeWeComRobot({ keys: ['team-a', 'ops'] });
  let dir = '';

  beforeAll(async () => {
    await robot.start();
    dir = mkdtempSync(join(tmpdir(), 'hookmux-render-'));
    writeFileSync(
      join(dir, 'hookmux.yaml'),
      `
storage: { type: sqlite, path: ./outbox.db }
sources:
  gitee: { secret: render-secret }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('team-a')}", format: markdown }
  ops: { type: wecom, webhook: "${robot.url('ops')}", format: text }
routes:
  - name: pushes
    when: { event: push, branch: main }
    to: [team-a, ops]
  - name: also-team-a
    when: { repo: "acme/*" }
    to: team-a
`,
    );
    const body = buildPushBody({
      repo: 'acme/widget',
      branch: 'main',
      commits: [{ message: 'docs: 更新 README 📝' }],
    });
    writeFileSync(join(dir, 'push.json'), JSON.stringify(body));
  });
  afterAll(() => robot.stop());

  it('prints each (route, sink, request body) as JSON and sends nothing', async () => {
    const run = await runCliCapture([
      'render',
      '-c',
      join(dir, 'hookmux.yaml'),
      '--source',
      'gitee',
      '--event',
      'Push Hook',
      join(dir, 'push.json'),
    ]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const output = JSON.parse(run.out) as {
      event: string;
      deliveries: Array<{ route: string; sink: string; type: string; body: Record<string, unknown> }>;
    };
    expect(output.event).toBe('gitee.push.update');
    expect(output.deliveries.map((d) => [d.route, d.sink, d.type])).toEqual([
      ['pushes', 'team-a', 'wecom'],
      ['pushes', 'ops', 'wecom'],
    ]);
    const [markdown, text] = output.deliveries;
    expect(markdown?.body['msgtype']).toBe('markdown');
    expect(JSON.stringify(markdown?.body)).toContain('docs: 更新 README 📝');
    expect(text?.body['msgtype']).toBe('text');
    expect(JSON.stringify(text?.body)).toContain('acme/widget');
    expect(robot.messages).toHaveLength(0);
    expect(robot.answers).toHaveLength(0);
  });

  it('exits 1 for a payload the source refuses, naming why', async () => {
    writeFileSync(
      join(dir, 'wecom.json'),
      JSON.stringify({ msgtype: 'markdown', markdown: { content: 'x' }, hook_name: 'push_hooks' }),
    );
    const run = await runCliCapture(['render', '-c', join(dir, 'hookmux.yaml'), join(dir, 'wecom.json')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('HM_ERR_SRC_WECOM_FORMAT');
  });

  it('exits 2 without a payload file', async () => {
    expect((await runCliCapture(['render', '-c', join(dir, 'hookmux.yaml')])).code).toBe(2);
  });
});
