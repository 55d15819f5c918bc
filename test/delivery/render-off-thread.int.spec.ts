import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { startTestHookmux, type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';

const secret = 'render-thread-secret';

// 60 commits nested five deep: 777 million iterations, far more than the 2 s renderTimeout. They
// print nothing, so the render thread's memory stays flat and the cut-off is the timeout (a
// template that printed a dot per iteration ran the thread out of memory first on a fast run,
// which is HM_ERR_TPL_RENDER, not the timeout under test).
const loopingTemplate = `{{#each payload.commits}}{{#each ../payload.commits}}{{#each ../../payload.commits}}{{#each ../../../payload.commits}}{{#each ../../../../payload.commits}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}
`;

describe('rendering at send time, off the main thread', () => {
  const robot = new FakeWeComRobot({ keys: ['slow-key', 'fast-key'] });
  let server: TestHookmux;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(
      `
storage: { type: sqlite, path: ./outbox.db }
templates: { renderTimeout: 2s }
sources:
  gitee: { secret: ${secret} }
sinks:
  slow-group: { type: wecom, webhook: "${robot.url('slow-key')}", format: markdown }
  fast-group: { type: wecom, webhook: "${robot.url('fast-key')}", format: markdown }
routes:
  - name: slow
    when: { source: gitee, event: push }
    to: slow-group
    template: ./slow-templates
  - name: fast
    when: { source: gitee, event: push }
    to: fast-group
`,
      { files: { 'slow-templates/gitee/push.md.hbs': loopingTemplate } },
    );
  }, 30_000);
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });

  it('keeps intake, /healthz and other sinks going while one template loops, then cuts it off with a coded error and a fallback', async () => {
    const commits = Array.from({ length: 60 }, (_, i) => ({ message: `fix: 第 ${i} 个提交` }));
    const request = giteeRequest(buildPushBody({ commits }), secret);
    const answer = await server.post('/webhooks/gitee', request.body, request.headers);
    expect(answer).toMatchObject({ status: 200, json: { ok: true, deliveries: 2 } });

    // The fast sink's message arrives while the slow template is still rendering.
    await waitFor(() => robot.messagesFor('fast-key').length === 1, 10_000, 'the fast sink');
    expect(robot.messagesFor('slow-key')).toHaveLength(0);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // And another webhook is accepted meanwhile.
    const second = giteeRequest(buildPushBody({ seq: 2 }), secret);
    expect((await server.post('/webhooks/gitee', second.body, second.headers)).status).toBe(200);
    expect(robot.messagesFor('slow-key')).toHaveLength(0);

    // Cut off at renderTimeout: the built-in fallback (summary and link) goes out, and the log says why.
    await waitFor(() => robot.messagesFor('slow-key').length >= 1, 20_000, 'the slow sink');
    const [fallback] = robot.messagesFor('slow-key');
    expect(JSON.stringify(fallback?.body)).toContain('https://gitee.com/acme/widget');
    expect(JSON.stringify(fallback?.body)).not.toContain('....');
    const timeout = server.logger.lines.find((l) => JSON.stringify(l).includes('HM_ERR_TPL_TIMEOUT'));
    expect(timeout).toMatchObject({ level: 'error', sink: 'slow-group' });
  }, 60_000);
});
