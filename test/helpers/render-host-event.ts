import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  MemoryLogger,
  type HookEvent,
  type InboundRequest,
  type Message,
  type Person,
  type Source,
  type SinkTarget,
} from '@hookmux/core';
import { WeComSink } from '@hookmux/sink-wecom';

import type { RouteConfig } from '../../core/src/config/hookmux-config.js';
import { compileRoute, matchRoutes } from '../../core/src/routing/compile-routes.js';
import { MessageRenderer } from '../../core/src/templates/message-renderer.js';
import { TemplateSet } from '../../core/src/templates/template-set.js';

/**
 * What the code-host conformance suites (GitHub, GitLab, Gitea) share: a request as the host sends
 * it, the real routes matcher, and the real renderer over the plugin's own templates (searched
 * before core's built-ins, as `hookmux serve` does), to WeCom markdown and text.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const builtinDir = join(repoRoot, 'core', 'templates');

export function pluginTemplatesDir(plugin: string): string {
  return join(repoRoot, 'plugins', plugin, 'templates');
}

/** Made-up people with identities on every host, so the snapshots show mentions working. */
export const hostPeople: readonly Person[] = [
  { github: 'zhangsan-dev', gitlab: 'zhangsan', gitea: 'zhangsan', wecom: 'ZhangSan', name: '张三' },
  { github: 'lisi-ops', gitlab: 'lisi', gitea: 'lisi', wecom: 'LiSi', name: '李四' },
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
export const weComMaxBytes = { md: 4096, txt: 2048 } as const;

export function buildHostRequest(
  path: string,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
): InboundRequest {
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    query: {},
    params: {},
    rawBody: body,
    ip: '127.0.0.1',
    receivedAt: Date.UTC(2024, 4, 20, 2, 30),
  };
}

export async function receiveAs(
  source: Source,
  request: InboundRequest,
  settings: Readonly<Record<string, unknown>>,
): Promise<HookEvent> {
  return source.receive(request, { settings, logger: new MemoryLogger(), now: () => request.receivedAt });
}

export function buildHostRenderer(plugin: string, people: readonly Person[] = hostPeople): MessageRenderer {
  const pluginDir = pluginTemplatesDir(plugin);
  const { set, errors } = TemplateSet.load([pluginDir, builtinDir]);
  if (errors.length > 0) throw new Error(errors.map((e) => `${e.message} ${e.at ?? ''}`).join('\n'));
  return new MessageRenderer({
    templates: set,
    pluginDirs: [pluginDir],
    builtinDir,
    timeZone: 'Asia/Shanghai',
    people,
  });
}

export function renderBoth(renderer: MessageRenderer, event: HookEvent): { md: Message; txt: Message } {
  return {
    md: renderer.render(event, { sink: wecom, target: markdownTarget }),
    txt: renderer.render(event, { sink: wecom, target: textTarget }),
  };
}

/** Which of a few typical routes an event reaches: all of the host, by full name and repo, by type and action, humans only. */
export function routeNames(event: HookEvent): string[] {
  const routes: RouteConfig[] = [
    { name: 'host', when: { source: event.source }, to: ['all'] },
    { name: 'by-name', when: { event: event.name, repo: event.repo ?? 'none' }, to: ['by-name'] },
    {
      name: 'by-type',
      when: { source: event.source, event: event.type, action: event.action ?? '*' },
      to: ['by-type'],
    },
    { name: 'skip-bots', when: { actor: '!*\\[bot\\]' }, to: ['humans'] },
  ];
  return matchRoutes(event, routes.map(compileRoute)).map((m) => m.route.name);
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
