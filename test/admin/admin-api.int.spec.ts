import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';
import { startTestHookmux } from '../helpers/start-test-hookmux.js';

const token = 'adm-0f6c2b9e4d7a1358';
const secret = 'gitee-secret-for-admin-tests';
// Keys unlike any sink name, so a leak check cannot pass or fail by accident.
const alphaKey = 'wk-alpha-7f3a91d2';
const bravoKey = 'wk-bravo-2c8e44b0';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

async function call(
  server: TestHookmux,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.auth !== undefined) headers['authorization'] = options.auth;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // the page and its assets are not JSON
  }
  return { status: response.status, headers: response.headers, text, json };
}

const bearer = `Bearer ${token}`;
const authed = (server: TestHookmux, method: string, path: string, body?: unknown): Promise<Answer> =>
  call(server, method, path, { auth: bearer, ...(body === undefined ? {} : { body }) });

function yaml(robot: FakeWeComRobot, admin: boolean): string {
  return `
storage: { type: sqlite, path: ./hookmux.db }
${admin ? `admin: { token: "${token}" }` : ''}
sources:
  gitee: { secret: "${secret}" }
sinks:
  alpha: { type: wecom, webhook: "${robot.url(alphaKey)}", format: markdown }
  bravo: { type: wecom, key: "${bravoKey}", apiBase: "${robot.baseUrl}", format: text }
routes:
  - name: pushes
    when: { source: gitee, event: push }
    to: [alpha, bravo]
`;
}

let pushes = 0;
async function push(server: TestHookmux, message: string): Promise<void> {
  pushes += 1;
  const request = giteeRequest(
    buildPushBody({ seq: pushes, hookId: 500 + pushes, commits: [{ message }] }),
    secret,
  );
  const answer = await server.post('/webhooks/gitee', request.body, request.headers);
  expect(answer.status).toBe(200);
}

type Row = { id: string; status: string; sink: string; summary: string; lastError?: { code?: string } };

describe('admin API, off without a token', () => {
  const robot = new FakeWeComRobot({ keys: [alphaKey, bravoKey] });
  let server: TestHookmux;
  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(yaml(robot, false));
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });

  it.each([
    ['GET', '/admin'],
    ['GET', '/admin/admin.js'],
    ['GET', '/api/events'],
    ['GET', '/api/deliveries'],
    ['GET', '/api/sinks'],
    ['POST', '/api/render'],
    ['POST', '/api/deliveries/replay-dead'],
  ])('answers %s %s like an unknown path (404), with or without a bearer token', async (method, path) => {
    const unknown = await call(server, method, '/no-such-thing');
    for (const auth of [undefined, bearer, 'Bearer ']) {
      const answer = await call(server, method, path, auth === undefined ? {} : { auth });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('www-authenticate')).toBeNull();
      expect(answer.text.replace(path, '/no-such-thing')).toBe(unknown.text);
    }
  });
});

describe('admin API with a token', () => {
  const robot = new FakeWeComRobot({ keys: [alphaKey, bravoKey] });
  let server: TestHookmux;
  let deadId: string;

  beforeAll(async () => {
    await robot.start();
    server = await startTestHookmux(yaml(robot, true));
    // bravo's robot was removed from its group: WeCom answers 93000, a permanent failure.
    robot.removeKey(bravoKey);
    await push(server, 'feat: first push for the admin page');
    await waitFor(() => robot.messagesFor(alphaKey).length === 1, 10_000, 'alpha to get the push');
    await waitFor(
      () => robot.answers.some((a) => a.key === bravoKey && a.errcode === 93000),
      10_000,
      'bravo to be refused',
    );
    const dead = await pollDead(server, 1);
    deadId = dead[0]?.id ?? '';
  });
  afterAll(async () => {
    await server.close();
    await robot.stop();
  });

  describe('without the right token', () => {
    const paths: Array<[string, string, unknown?]> = [
      ['GET', '/api/events'],
      ['GET', '/api/deliveries'],
      ['GET', '/api/deliveries?status=dead'],
      ['GET', '/api/deliveries/1'],
      ['POST', '/api/deliveries/1/replay'],
      ['POST', '/api/deliveries/replay-dead', {}],
      ['GET', '/api/sinks'],
      ['GET', '/api/templates'],
      ['GET', '/api/samples'],
      ['POST', '/api/render', { source: 'gitee', payload: {} }],
      ['GET', '/api/no-such-endpoint'],
    ];
    const attempts: Array<[string, string | undefined]> = [
      ['no header', undefined],
      ['a wrong token', 'Bearer adm-0f6c2b9e4d7a1359'],
      ['a prefix of the token', `Bearer ${token.slice(0, -1)}`],
      ['the token without "Bearer"', token],
      ['Basic auth', `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`],
    ];
    for (const [method, path, body] of paths) {
      it(`answers 401 to ${method} ${path} and leaks nothing`, async () => {
        const before = (await authed(server, 'GET', '/api/deliveries')).json['deliveries'];
        for (const [, auth] of attempts) {
          const answer = await call(server, method, path, {
            ...(auth === undefined ? {} : { auth }),
            ...(body === undefined ? {} : { body }),
          });
          expect(answer.status).toBe(401);
          expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
          expect(answer.json).toEqual({
            error: {
              code: 'HM_ERR_HTTP_UNAUTHORIZED',
              message: 'missing or wrong bearer token',
              hint: 'send Authorization: Bearer <admin.token>',
            },
          });
          for (const fact of [
            'alpha',
            'bravo',
            'gitee.push',
            'acme',
            alphaKey,
            bravoKey,
            robot.baseUrl,
            token,
          ]) {
            expect(answer.text).not.toContain(fact);
          }
        }
        // Nothing was replayed or changed by the refused calls.
        expect((await authed(server, 'GET', '/api/deliveries')).json['deliveries']).toEqual(before);
      });
    }

    it('logs the refusals without the presented token', () => {
      const text = server.logger.text();
      expect(text).toContain('admin API: missing or wrong bearer token');
      expect(text).not.toContain('adm-0f6c2b9e4d7a1359');
      expect(text).not.toContain(token);
    });
  });

  it('serves the page without the token, with a strict CSP and no data in it', async () => {
    const page = await call(server, 'GET', '/admin');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.text).toContain('<script src="/admin/admin.js"');
    for (const fact of ['alpha', 'bravo', 'gitee.push', alphaKey]) expect(page.text).not.toContain(fact);
    const script = await call(server, 'GET', '/admin/admin.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.text).toContain('renderWeComMarkdown');
    const styles = await call(server, 'GET', '/admin/admin.css');
    expect(styles.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('lists recent events with the sinks they were queued for', async () => {
    const answer = await authed(server, 'GET', '/api/events?limit=10');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const events = answer.json['events'] as Array<Record<string, unknown>>;
    expect(events[events.length - 1]).toMatchObject({
      name: 'gitee.push.update',
      repo: 'acme/widget',
      actor: 'zhangsan',
      sinks: ['alpha', 'bravo'],
      duplicate: false,
    });
  });

  it('offers the playground samples of every configured source, and says why a sample issue matches no route', async () => {
    const answer = await authed(server, 'GET', '/api/samples');
    expect(answer.status).toBe(200);
    const samples = answer.json['samples'] as Array<{
      source: string;
      label: string;
      event: string;
      payload: object;
    }>;
    expect(samples.map((s) => `${s.source}: ${s.event}`)).toEqual([
      'gitee: Push Hook',
      'gitee: Merge Request Hook',
      'gitee: Issue Hook',
    ]);
    const issue = samples[2];
    const request = giteeRequest(issue?.payload as Record<string, unknown>, secret, { event: 'Issue Hook' });
    expect((await server.post('/webhooks/gitee', request.body, request.headers)).status).toBe(200);
    const events = (await authed(server, 'GET', '/api/events?limit=1')).json['events'] as Array<
      Record<string, unknown>
    >;
    expect(events[0]).toMatchObject({
      name: 'gitee.issue.open',
      sinks: [],
      noRoute: ['routes[0] (pushes): event "gitee.issue.open" not in [push]'],
    });
  });

  it('lists deliveries, filtered by status and sink', async () => {
    const all = (await authed(server, 'GET', '/api/deliveries')).json['deliveries'] as Row[];
    expect(all.filter((r) => r.summary.includes('acme/widget')).length).toBeGreaterThanOrEqual(2);
    const alpha = (await authed(server, 'GET', '/api/deliveries?sink=alpha&status=sent')).json[
      'deliveries'
    ] as Row[];
    expect(alpha.length).toBeGreaterThanOrEqual(1);
    expect(alpha.every((r) => r.sink === 'alpha' && r.status === 'sent')).toBe(true);
    const one = await authed(server, 'GET', '/api/deliveries?limit=1');
    expect(one.json['deliveries']).toHaveLength(1);
    expect(typeof one.json['next']).toBe('string');
    const older = await authed(server, 'GET', `/api/deliveries?limit=1&before=${String(one.json['next'])}`);
    expect((older.json['deliveries'] as Row[])[0]?.id).not.toBe((one.json['deliveries'] as Row[])[0]?.id);
  });

  it.each([
    ['/api/deliveries?status=lost', 400, 'HM_ERR_ADMIN_BAD_REQUEST'],
    ['/api/deliveries?limit=0', 400, 'HM_ERR_ADMIN_BAD_REQUEST'],
    ['/api/events?limit=abc', 400, 'HM_ERR_ADMIN_BAD_REQUEST'],
    ['/api/deliveries/999999', 404, 'HM_ERR_DELIVERY_NOT_FOUND'],
    ['/api/no-such-endpoint', 404, 'HM_ERR_HTTP_NOT_FOUND'],
  ])('answers GET %s with %i %s', async (path, status, code) => {
    const answer = await authed(server, 'GET', path);
    expect(answer.status).toBe(status);
    expect((answer.json['error'] as { code: string }).code).toBe(code);
  });

  it('shows a dead letter with its message, request body and the robot answer, and replays it', async () => {
    const detail = await authed(server, 'GET', `/api/deliveries/${deadId}`);
    expect(detail.status).toBe(200);
    const delivery = detail.json['delivery'] as Record<string, unknown>;
    expect(delivery).toMatchObject({ id: deadId, sink: 'bravo', status: 'dead', route: 'pushes' });
    expect(delivery['answer']).toMatchObject({ ok: false, code: '93000' });
    expect((delivery['message'] as { text: string }).text).toContain('feat: first push for the admin page');
    expect(delivery['request']).toMatchObject({ msgtype: 'text' });
    expect(detail.text).not.toContain(bravoKey);

    robot.addKey(bravoKey);
    const replay = await authed(server, 'POST', `/api/deliveries/${deadId}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json['delivery']).toMatchObject({ id: deadId, status: 'pending', attempts: 0 });
    await waitFor(() => robot.messagesFor(bravoKey).length === 1, 10_000, 'bravo to get the replay');
    const text = (robot.messagesFor(bravoKey)[0]?.body['text'] as { content: string }).content;
    expect(text).toContain('feat: first push for the admin page');
    const after = await pollStatus(server, deadId, 'sent');
    expect(after['answer']).toEqual({ ok: true });
  });

  it('replays every dead letter of one sink', async () => {
    robot.removeKey(bravoKey);
    await push(server, 'fix: second push, to be replayed in bulk');
    const dead = await pollDead(server, 1);
    expect(dead.map((r) => r.sink)).toEqual(['bravo']);
    const unknown = await authed(server, 'POST', '/api/deliveries/replay-dead', { sink: 'nope' });
    expect(unknown.status).toBe(404);
    expect((unknown.json['error'] as { code: string }).code).toBe('HM_ERR_SINK_NOT_FOUND');
    const badJson = await fetch(`${server.url}/api/deliveries/replay-dead`, {
      method: 'POST',
      headers: { authorization: bearer, 'content-type': 'application/json' },
      body: '{"sink":',
    });
    expect(badJson.status).toBe(400);

    robot.addKey(bravoKey);
    const replay = await authed(server, 'POST', '/api/deliveries/replay-dead', { sink: 'bravo' });
    expect(replay.json).toEqual({ replayed: 1 });
    await waitFor(() => robot.messagesFor(bravoKey).length === 2, 10_000, 'bravo to get the bulk replay');
    await pollStatus(server, dead[0]?.id ?? '', 'sent');
  });

  it('describes sinks with counts and rate-limit state, never their URL or key', async () => {
    const answer = await authed(server, 'GET', '/api/sinks');
    expect(answer.status).toBe(200);
    const sinks = answer.json['sinks'] as Array<Record<string, unknown>>;
    expect(sinks.map((s) => s['name'])).toEqual(['alpha', 'bravo']);
    const alpha = sinks[0] ?? {};
    expect(alpha).toMatchObject({
      type: 'wecom',
      format: 'markdown',
      templateFormat: 'md',
      configured: true,
    });
    expect(alpha['settings']).toMatchObject({ webhook: '***', format: 'markdown' });
    expect((alpha['counts'] as Record<string, number>)['sent']).toBeGreaterThanOrEqual(2);
    expect(alpha['rateLimit']).toMatchObject({
      limits: [expect.objectContaining({ count: 20, windowMs: 60_000 })],
      sharedWith: [],
    });
    expect((sinks[1]?.['settings'] as Record<string, unknown>)['key']).toBe('***');
    for (const secretPart of [alphaKey, bravoKey, robot.url(alphaKey), encodeURIComponent(alphaKey)]) {
      expect(answer.text).not.toContain(secretPart);
    }
    expect(answer.text).not.toMatch(/"robotKey"/);
  });

  it('lists the template files on the search path', async () => {
    const answer = await authed(server, 'GET', '/api/templates');
    const folders = answer.json['folders'] as Array<{ origin: string; names: string[] }>;
    expect(folders.at(-1)?.origin).toBe('built-in');
    expect(folders.at(-1)?.names).toEqual(expect.arrayContaining(['gitee/push.md.hbs', '_default.txt.hbs']));
  });

  it('renders a payload per (route, sink) and sends nothing', async () => {
    const sentBefore = robot.messages.length;
    const rowsBefore = (
      (await authed(server, 'GET', '/api/deliveries?limit=500')).json['deliveries'] as Row[]
    ).length;
    const payload = buildPushBody({
      repo: 'acme/render-only',
      hookId: 9001,
      commits: [{ message: 'docs: rendered in the playground only' }],
    });
    const answer = await authed(server, 'POST', '/api/render', {
      source: 'gitee',
      event: 'Push Hook',
      payload,
    });
    expect(answer.status).toBe(200);
    expect(answer.json['event']).toMatchObject({ name: 'gitee.push.update', repo: 'acme/render-only' });
    const deliveries = answer.json['deliveries'] as Array<Record<string, unknown>>;
    expect(deliveries.map((d) => [d['route'], d['sink'], d['templateFormat']])).toEqual([
      ['pushes', 'alpha', 'md'],
      ['pushes', 'bravo', 'txt'],
    ]);
    expect(deliveries[0]?.['text']).toContain('docs: rendered in the playground only');
    expect(deliveries[0]?.['body']).toMatchObject({ msgtype: 'markdown' });
    expect((deliveries[1]?.['body'] as { text: { content: string } }).text.content).toContain(
      'acme/render-only',
    );

    // As a string too (pasted text), with the event taken from the body's hook_name.
    const asText = await authed(server, 'POST', '/api/render', {
      source: 'gitee',
      payload: JSON.stringify(payload),
    });
    expect(asText.json['deliveries']).toHaveLength(2);

    // A real push after it is the probe: once it arrived, a wrongly sent render would have too.
    await push(server, 'chore: probe after the render');
    await waitFor(() => robot.messages.length >= sentBefore + 2, 10_000, 'the probe push');
    const sent = robot.messages.slice(sentBefore).map((m) => JSON.stringify(m.body));
    expect(sent).toHaveLength(2);
    expect(sent.every((b) => b.includes('chore: probe after the render'))).toBe(true);
    const rowsAfter = ((await authed(server, 'GET', '/api/deliveries?limit=500')).json['deliveries'] as Row[])
      .length;
    expect(rowsAfter).toBe(rowsBefore + 2);
  });

  it.each([
    [{ source: 'gitee' }, 400, 'HM_ERR_ADMIN_BAD_REQUEST'],
    [{ source: 'svn', payload: {} }, 400, 'HM_ERR_ADMIN_BAD_REQUEST'],
    [{ source: 'gitee', payload: '{"ref": ' }, 400, 'HM_ERR_HTTP_BAD_JSON'],
    [{ source: 'gitee', event: 'Wiki Hook', payload: { hello: 1 } }, 400, 'HM_ERR_SRC_UNKNOWN_HOOK'],
  ])('refuses a bad render request %j', async (body, status, code) => {
    const answer = await authed(server, 'POST', '/api/render', body);
    expect(answer.status).toBe(status);
    expect((answer.json['error'] as { code: string }).code).toBe(code);
  });

  it('never writes the admin token or robot keys to the log', () => {
    const text = server.logger.text();
    for (const secretValue of [token, alphaKey, bravoKey]) expect(text).not.toContain(secretValue);
  });
});

/** Reads until `count` dead rows exist: dead-lettering happens after the robot's answer. */
async function pollDead(server: TestHookmux, count: number): Promise<Row[]> {
  let rows: Row[] = [];
  const deadline = Date.now() + 10_000;
  while (rows.length < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} dead letters`);
    rows = (await authed(server, 'GET', '/api/deliveries?status=dead')).json['deliveries'] as Row[];
    if (rows.length < count) await new Promise((r) => setTimeout(r, 25));
  }
  return rows;
}

async function pollStatus(server: TestHookmux, id: string, status: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const delivery = (await authed(server, 'GET', `/api/deliveries/${id}`)).json['delivery'] as Record<
      string,
      unknown
    >;
    if (delivery['status'] === status) return delivery;
    if (Date.now() > deadline)
      throw new Error(`delivery ${id} is ${String(delivery['status'])}, not ${status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
