import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

describe('hookmux send-test', () => {
  const robot = new FakeWeComRobot({ keys: ['good-key'] });
  let config = '';

  beforeAll(async () => {
    await robot.start();
    const dir = mkdtempSync(join(tmpdir(), 'hookmux-send-test-'));
    config = join(dir, 'hookmux.yaml');
    writeFileSync(
      config,
      `
storage: { type: memory }
sinks:
  team-a: { type: wecom, webhook: "${robot.url('good-key')}", format: markdown }
  removed: { type: wecom, webhook: "${robot.url('removed-key')}", format: text }
routes: []
`,
    );
  });
  afterAll(() => robot.stop());

  it('sends one short message and says the robot accepted it', async () => {
    const run = await runCliCapture(['send-test', 'team-a', '-c', config]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('ok: team-a accepted the message');
    expect(robot.messagesFor('good-key')).toHaveLength(1);
    expect(JSON.stringify(robot.messagesFor('good-key')[0]?.body)).toContain('hookmux 测试消息');
  });

  it("explains a refusal in words, with the robot's code, and never prints the key", async () => {
    const run = await runCliCapture(['send-test', 'removed', '-c', config]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('failed (permanent 93000)');
    expect(run.err).toContain('机器人拒绝了这条消息');
    expect(run.err + run.out).not.toContain('removed-key');
  });

  it('names the configured sinks when the name is wrong', async () => {
    const run = await runCliCapture(['send-test', 'team-x', '-c', config]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('no sink named "team-x" (configured: team-a, removed)');
  });
});
