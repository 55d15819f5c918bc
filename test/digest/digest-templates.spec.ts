import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, describe, expect, test } from '@jest/globals';

import { MemoryLogger } from '@hookmux/core';

import type { CliIo } from '../../core/src/cli/cli-io.js';
import { runTemplatesEjectCommand } from '../../core/src/cli/commands/templates-eject.js';
import { renderDigest } from '../../core/src/digest/render-digest.js';
import { buildRenderer, wecom } from '../templates/helpers/render-gitee.js';
import { pushChain, receiveAll, targets } from './helpers/digest-bursts.js';

/** Digest templates are looked up like every template: route folder, templates.dir, plugins, built-ins. */
const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-digest-tpl-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const burst = () =>
  receiveAll(
    pushChain(3, { branch: 'feature/退款-v2', pushers: ['lina-dev', 'wangwei'], commits: 2, seq: 700 }),
  );

function digest(
  renderer: ReturnType<typeof buildRenderer>,
  events: Awaited<ReturnType<typeof burst>>,
  routeDir?: string,
  logger?: MemoryLogger,
) {
  return renderDigest({
    entries: events.map((event, i) => ({
      deliveryId: `d${i}`,
      event,
      route: 'r',
      ...(routeDir ? { routeDir } : {}),
    })),
    to: { sink: wecom, target: targets.markdown },
    renderer,
    digestId: 'dg',
    maxBytes: 4096,
    ...(logger ? { logger } : {}),
  });
}

const userDigest = `{{#each groups}}{{#each commits}}提交 {{shortId}}；{{/each}}{{/each}}共 {{digest.count}} 条（我们的格式）`;

describe('digest templates', () => {
  test("a user's _digest.md.hbs in templates.dir changes the text", async () => {
    const events = await burst();
    const userDir = folder({ '_digest.md.hbs': userDigest });
    const text = digest(buildRenderer({ userDir }), events).message.text;
    expect(text).toMatch(/^(提交 [0-9a-f]{7}；){6}共 3 条（我们的格式）$/);
  });

  test('one source: <source>/_digest wins over _digest in the same folder; a route folder wins over templates.dir', async () => {
    const events = await burst();
    const userDir = folder({
      '_digest.md.hbs': '通用 {{digest.count}}',
      'gitee/_digest.md.hbs': 'Gitee 专用 {{digest.count}}',
    });
    expect(digest(buildRenderer({ userDir }), events).message.text).toBe('Gitee 专用 3');
    const routeDir = folder({ '_digest.md.hbs': '路由 {{digest.count}}' });
    const renderer = buildRenderer({ userDir, extraDirs: [routeDir] });
    expect(digest(renderer, events, routeDir).message.text).toBe('路由 3');
  });

  test('a digest template that fails is logged with its code and the built-in one carries every event', async () => {
    const events = await burst();
    // A helper that throws at render time: `date` in a time zone that does not exist.
    const userDir = folder({ '_digest.md.hbs': '{{date digest.from "time" "No/Such_Zone"}}' });
    const logger = new MemoryLogger();
    const result = digest(buildRenderer({ userDir }), events, undefined, logger);
    expect(result.included).toBe(3);
    expect(result.message.text).toContain('李娜、王伟 向');
    expect(result.message.text).toContain('推送了 3 次，共 6 个提交');
    const logged = JSON.stringify(logger.lines);
    expect(logged).toContain('HM_ERR_TPL_RENDER');
    expect(logged).toContain('_digest.md.hbs');
  });

  test('hookmux templates eject copies the digest templates; an edited copy changes the digest', async () => {
    const root = folder({});
    const io: CliIo = { out: new PassThrough(), err: new PassThrough(), isTTY: false, env: {}, cwd: root };
    expect(runTemplatesEjectCommand('my-templates', false, io)).toBe(0);
    const file = join(root, 'my-templates', '_digest.md.hbs');
    const edited = readFileSync(file, 'utf8').replace('**消息汇总**', '**今日动态**');
    expect(edited).not.toBe(readFileSync(file, 'utf8'));
    writeFileSync(file, edited);
    const text = digest(buildRenderer({ userDir: join(root, 'my-templates') }), await burst()).message.text;
    expect(text.startsWith('**今日动态** <font color="comment">共 3 条')).toBe(true);
    expect(text).toContain('李娜、王伟 向 [yunque-api]');
  });
});
