import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  MemoryLogger,
  type HookEvent,
  type InboundRequest,
  type Message,
  type Person,
  type SinkTarget,
} from '@hookmux/core';
import { GiteeSource, MemoryReplayCache } from '@hookmux/source-gitee';
import { WeComSink } from '@hookmux/sink-wecom';

import { builtinTemplatesDir, MessageRenderer } from '../../../core/src/templates/message-renderer.js';
import { TemplateSet } from '../../../core/src/templates/template-set.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The built-in templates, as core ships them (core/templates). */
export const builtinDir = builtinTemplatesDir;
/** This suite's own Gitee bodies (written for hookmux, shaped like real deliveries). */
export const ownFixturesDir = join(here, '..', 'fixtures');

/** The people map the snapshots use: Gitee login → WeCom userid. */
export const people: readonly Person[] = [
  { gitee: 'zhangwei', wecom: 'ZhangWei', name: '张伟' },
  { gitee: 'lina-dev', wecom: 'LiNa', name: '李娜' },
  { gitee: 'wangfang', wecom: 'WangFang', name: '王芳' },
  { gitee: 'chen-jie', mobile: '13800000000', name: '陈杰' },
];

export const wecom = new WeComSink();
export const markdownTarget: SinkTarget = {
  name: 'team-md',
  type: 'wecom',
  settings: { key: 'k', format: 'markdown' },
};
export const textTarget: SinkTarget = {
  name: 'team-txt',
  type: 'wecom',
  settings: { key: 'k', format: 'text' },
};

/** WeCom's own limits (robots.md §1): UTF-8 bytes of `content`. */
export const weComMaxBytes = { md: 4096, txt: 2048 } as const;

/** A raw Gitee body through the real source, configured with `secret: none` (no token to check). */
export async function receiveGitee(
  body: Buffer | string,
  options: { ping?: boolean; source?: GiteeSource } = {},
): Promise<HookEvent> {
  // One source instance remembers issue states across calls (that is how `previousState` is known).
  const source = options.source ?? new GiteeSource(new MemoryReplayCache());
  const request: InboundRequest = {
    method: 'POST',
    path: '/webhooks/gitee',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'git-oschina-hook',
      'x-gitee-ping': options.ping === true ? 'true' : 'false',
    },
    query: {},
    params: {},
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
    ip: '127.0.0.1',
    receivedAt: Date.UTC(2024, 4, 20, 2, 30),
  };
  return source.receive(request, {
    settings: { secret: 'none' },
    logger: new MemoryLogger(),
    now: () => request.receivedAt,
  });
}

export function readOwnFixture(file: string): Buffer {
  return readFileSync(join(ownFixturesDir, file));
}

/** A renderer over the given folders (user dir optional), the built-ins last. */
export function buildRenderer(
  options: { userDir?: string; extraDirs?: readonly string[] } = {},
): MessageRenderer {
  const dirs = [...(options.extraDirs ?? []), ...(options.userDir ? [options.userDir] : []), builtinDir];
  const { set, errors } = TemplateSet.load(dirs);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message + ' ' + JSON.stringify(e)).join('\n'));
  return new MessageRenderer({
    templates: set,
    userDir: options.userDir,
    builtinDir,
    timeZone: 'Asia/Shanghai',
    people,
  });
}

export function renderBoth(
  renderer: MessageRenderer,
  event: HookEvent,
  routeDir?: string,
): { md: Message; txt: Message } {
  return {
    md: renderer.render(event, { sink: wecom, target: markdownTarget }, routeDir),
    txt: renderer.render(event, { sink: wecom, target: textTarget }, routeDir),
  };
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
