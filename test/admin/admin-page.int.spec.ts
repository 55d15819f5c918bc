import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';

import { FakeWeComRobot } from '../fake-robots/fake-wecom-robot.js';
import { buildPushBody, giteeRequest } from '../helpers/gitee-push.js';
import { type TestHookmux, waitFor } from '../helpers/start-test-hookmux.js';
import { startTestHookmux } from '../helpers/start-test-hookmux.js';
import { artifactsDir } from './artifacts-dir.js';

const chromiumPath = '/usr/bin/chromium';
const token = 'adm-page-5b1e0c7d93';
const secret = 'gitee-secret-for-admin-page';
const teamKey = 'wk-team-4e2a90c1';
const opsKey = 'wk-ops-b73d5f08';

// Chromium's first start on a cold CI machine can take several seconds.
jest.setTimeout(60_000);

/**
 * The admin page in headless Chromium against a real server and the fake WeCom robot. CI
 * installs Debian's chromium; without it this suite fails on purpose instead of skipping.
 */
describe('admin page in a real browser', () => {
  const robot = new FakeWeComRobot({ keys: [teamKey, opsKey] });
  let server: TestHookmux;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `${chromiumPath} is missing: the admin page tests need Chromium (Debian: apt-get install chromium)`,
      );
    }
    await robot.start();
    server = await startTestHookmux(`
storage: { type: sqlite, path: ./hookmux.db }
admin: { token: "${token}" }
sources:
  gitee: { secret: "${secret}" }
sinks:
  team: { type: wecom, webhook: "${robot.url(teamKey)}", format: markdown }
  ops: { type: wecom, webhook: "${robot.url(opsKey)}", format: text }
routes:
  - name: pushes
    when: { source: gitee, event: push }
    to: [team, ops]
`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The wrong-token step is meant to get a 401; the browser logs every 4xx as an error.
      if (message.type() === 'error' && !message.text().includes('status of 401'))
        problems.push(`console: ${message.text()}`);
    });
    // Nothing but the server under test: no CDN, no fonts, no telemetry.
    await page.route('**/*', (route) =>
      route.request().url().startsWith(server.url) ? route.continue() : route.abort(),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await robot.stop();
  });

  it('signs in, finds a dead letter, replays it and shows it sent', async () => {
    robot.removeKey(opsKey);
    const request = giteeRequest(
      buildPushBody({ hookId: 1, commits: [{ message: 'feat: 管理页面重放死信' }] }),
      secret,
    );
    expect((await server.post('/webhooks/gitee', request.body, request.headers)).status).toBe(200);
    await waitFor(
      () => robot.answers.some((a) => a.key === opsKey && a.errcode === 93000),
      10_000,
      'ops to refuse',
    );

    await page.goto(`${server.url}/admin#dead`);
    await page.fill('#token', 'not-the-token');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error:not([hidden])');
    expect(await page.textContent('#login-error')).toContain('not accepted');

    await page.fill('#token', token);
    await page.click('#login-form button[type=submit]');
    const row = page.locator('#dead tr[data-status="dead"]');
    await refreshUntil(page, async () => (await row.count()) === 1);
    expect(await row.textContent()).toContain('93000');
    expect(await page.textContent('#dead')).toContain('ops');
    await page.screenshot({ path: join(artifactsDir(), 'admin-dead-letters.png'), fullPage: true });

    robot.addKey(opsKey);
    await row.locator('button.replay').click();
    await page.waitForSelector('#status.ok');
    expect(await page.textContent('#status')).toMatch(/queued again/);
    await waitFor(() => robot.messagesFor(opsKey).length === 1, 10_000, 'ops to get the replay');
    expect(JSON.stringify(robot.messagesFor(opsKey)[0]?.body)).toContain('管理页面重放死信');

    await page.click('[data-tab="deliveries"]');
    await page.selectOption('#filter-sink', 'ops');
    const opsRow = page.locator('#deliveries tr[data-delivery]');
    await refreshUntil(page, async () => (await opsRow.first().getAttribute('data-status')) === 'sent');
    expect(await opsRow.first().locator('.badge').textContent()).toBe('sent');
    await opsRow.first().locator('a').click();
    await page.waitForSelector('#delivery-detail .detail');
    expect(await page.textContent('#delivery-detail')).toContain('管理页面重放死信');
    await page.click('#refresh');
    await page.waitForSelector('#dead .empty', { state: 'attached' });
    await page.screenshot({ path: join(artifactsDir(), 'admin-deliveries.png'), fullPage: true });

    await page.click('[data-tab="sinks"]');
    await page.waitForSelector('#sinks .sink[data-sink="team"]');
    const sinksText = (await page.textContent('#sinks')) ?? '';
    expect(sinksText).toContain('per min');
    expect(await page.content()).not.toContain(teamKey);
    await page.screenshot({ path: join(artifactsDir(), 'admin-sinks.png'), fullPage: true });

    await page.click('[data-tab="events"]');
    await page.waitForSelector('#events tr[data-event]');
    expect(await page.textContent('#events')).toContain('gitee.push.update');
    await page.screenshot({ path: join(artifactsDir(), 'admin-events.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('renders a sample push in the playground as the robots would show it, sending nothing', async () => {
    const sentBefore = robot.messages.length;
    await page.click('[data-tab="playground"]');
    await page.selectOption('#sample', { label: 'gitee: Push to main (2 commits)' });
    expect(await page.inputValue('#render-event')).toBe('Push Hook');
    await page.click('#render-form button[type=submit]');
    await page.waitForSelector('#render-result .rendered[data-sink="ops"]');

    const markdown = page.locator('#render-result .rendered[data-sink="team"] .bubble.markdown');
    const shown = (await markdown.innerText()).replace(/\s+/g, ' ');
    expect(shown).toContain('feat: 支持企业微信 markdown 🚀');
    expect(shown).toContain('acme/widget');
    // Markdown is rendered, not shown as source: links are links and no `](` is left over.
    expect(await markdown.locator('a[href^="https://gitee.com/acme/widget"]').count()).toBeGreaterThan(0);
    expect(shown).not.toContain('](');
    const text = await page.locator('#render-result .rendered[data-sink="ops"] pre.bubble.text').innerText();
    expect(text).toContain('fix: handle empty commit lists');
    await page.screenshot({ path: join(artifactsDir(), 'admin-playground.png'), fullPage: true });

    // A payload that is not JSON is caught in the page, before any request.
    await page.fill('#payload', '{"hook_name": ');
    await page.click('#render-form button[type=submit]');
    await page.waitForSelector('#render-result p.error');
    expect(await page.textContent('#render-result')).toContain('not valid JSON');

    expect(robot.messages.length).toBe(sentBefore);
    expect(problems).toEqual([]);
  });

  it('speaks Chinese to a Chinese browser, says why an event matched no route, and switches to English on request', async () => {
    // An issue: the only route takes pushes, so the event list must say which filter refused it.
    const samples = (await (
      await fetch(`${server.url}/api/samples`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { samples: Array<{ event: string; payload: Record<string, unknown> }> };
    const issue = samples.samples.find((s) => s.event === 'Issue Hook');
    const request = giteeRequest(issue?.payload ?? {}, secret, { event: 'Issue Hook' });
    expect((await server.post('/webhooks/gitee', request.body, request.headers)).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const zh = await context.newPage();
    zh.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await zh.route('**/*', (route) =>
      route.request().url().startsWith(server.url) ? route.continue() : route.abort(),
    );
    await zh.goto(`${server.url}/admin`);
    expect(await zh.evaluate('navigator.language')).toBe('zh-CN');
    expect(await zh.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await zh.textContent('#login h1')).toBe('登录');
    expect(await zh.textContent('#login p')).toContain('管理令牌');
    expect(await zh.getAttribute('#token', 'placeholder')).toBe('管理令牌');
    expect(await zh.title()).toBe('hookmux 管理');
    await zh.screenshot({ path: join(artifactsDir(), 'admin-zh-login.png'), fullPage: true });

    await zh.fill('#token', token);
    await zh.click('#login-form button[type=submit]');
    await zh.waitForSelector('#events tr[data-event]');
    expect(await zh.textContent('[data-tab="events"]')).toBe('事件');
    expect(await zh.textContent('[data-tab="dead"]')).toContain('死信');
    expect(await zh.textContent('#events thead')).toContain('接收时间');
    const unrouted = zh.locator('#events details.no-route');
    expect(await unrouted.locator('summary').first().textContent()).toBe('没有匹配的路由');
    await unrouted.first().locator('summary').click();
    expect(await unrouted.first().locator('li').first().textContent()).toBe(
      'routes[0] (pushes): event "gitee.issue.open" not in [push]',
    );
    await zh.screenshot({ path: join(artifactsDir(), 'admin-zh-events.png'), fullPage: true });

    await zh.click('[data-tab="sinks"]');
    await zh.waitForSelector('#sinks .sink[data-sink="team"]');
    const sinks = (await zh.textContent('#sinks')) ?? '';
    expect(sinks).toContain('已发送');
    expect(sinks).toContain('每分钟');
    await zh.screenshot({ path: join(artifactsDir(), 'admin-zh-sinks.png'), fullPage: true });

    await zh.click('[data-tab="playground"]');
    await zh.waitForSelector('#sample option', { state: 'attached' });
    expect(await zh.textContent('#view-playground h2')).toBe('模板试验场');
    await zh.selectOption('#sample', { label: 'gitee: Issue opened' });
    await zh.click('#render-form button[type=submit]');
    await zh.waitForSelector('#render-result ul.no-route li');
    expect(await zh.textContent('#render-result')).toContain('没有路由匹配这个事件');
    expect(await zh.textContent('#render-result ul.no-route')).toContain(
      'event "gitee.issue.open" not in [push]',
    );
    await zh.screenshot({ path: join(artifactsDir(), 'admin-zh-playground.png'), fullPage: true });

    // The switch: English now, remembered by this browser across a reload.
    await zh.selectOption('#lang', 'en');
    expect(await zh.textContent('[data-tab="events"]')).toBe('Events');
    expect(await zh.textContent('#view-playground h2')).toBe('Template playground');
    expect(await zh.getAttribute('html', 'lang')).toBe('en');
    await zh.reload();
    await zh.waitForSelector('#tabs:not([hidden])');
    expect(await zh.textContent('[data-tab="events"]')).toBe('Events');
    await zh.click('[data-tab="events"]');
    await zh.waitForSelector('#events thead');
    expect(await zh.textContent('#events thead')).toContain('Received');
    expect(await zh.locator('#events details.no-route summary').first().textContent()).toBe(
      'no route matched',
    );
    await zh.screenshot({ path: join(artifactsDir(), 'admin-en-switched.png'), fullPage: true });
    await zh.selectOption('#lang', 'zh');
    expect(await zh.textContent('[data-tab="events"]')).toBe('事件');
    await context.close();
    expect(problems).toEqual([]);
  });
});

/** Clicks Refresh until `check` holds: deliveries change in the background. */
async function refreshUntil(page: Page, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the page to show the change');
    await page.click('#refresh');
    await page.waitForTimeout(100);
  }
}
