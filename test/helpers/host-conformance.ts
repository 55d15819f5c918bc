import { expect } from '@jest/globals';
import { HookmuxError, type HookEvent } from '@hookmux/core';

import type { MessageRenderer } from '../../core/src/templates/message-renderer.js';
import { renderBoth, utf8Bytes, weComMaxBytes } from './render-host-event.js';

/** The cross-host data fields a message must show, read loosely (each plugin has its own copy of the types). */
interface LooseData {
  readonly kind: string;
  readonly repo: { readonly fullName: string };
  readonly refName?: string;
  readonly commits?: readonly { readonly shortId: string }[];
  readonly pullRequest?: { readonly label: string };
  readonly issue?: { readonly label: string };
  readonly target?: { readonly label: string };
  readonly pipeline?: { readonly name: string };
  readonly release?: { readonly tag: string };
}

/** What every message must show, whatever the wording: where, which ref / PR / issue / run, the commits. */
export function keyFacts(event: HookEvent): string[] {
  const data = event.data as unknown as LooseData;
  const facts = [data.repo.fullName];
  if (data.refName !== undefined) facts.push(data.refName);
  for (const c of (data.commits ?? []).slice(0, 10)) facts.push(c.shortId);
  if (data.kind === 'merge_request' && data.pullRequest) facts.push(data.pullRequest.label);
  if (data.kind === 'issue' && data.issue) facts.push(data.issue.label);
  if (data.kind === 'note' && data.target) facts.push(data.target.label);
  if (data.kind === 'pipeline' && data.pipeline) facts.push(data.pipeline.name);
  if (data.kind === 'release' && data.release) facts.push(data.release.tag);
  return facts;
}

/** Renders to WeCom markdown and text and checks what holds for every message; returns both texts. */
export function checkRendered(renderer: MessageRenderer, event: HookEvent): { md: string; txt: string } {
  const { md, txt } = renderBoth(renderer, event);
  for (const [message, limit] of [
    [md, weComMaxBytes.md],
    [txt, weComMaxBytes.txt],
  ] as const) {
    expect(message.text.trim()).not.toBe('');
    expect(utf8Bytes(message.text)).toBeLessThanOrEqual(limit);
    expect(message.text).not.toMatch(/undefined|\[object Object\]|\]\(\)|\{\{|null/);
    for (const fact of keyFacts(event)) expect(message.text).toContain(fact);
  }
  // Text has no markdown; the plugin's own template rendered it (`_default` prints the event name).
  expect(txt.text).not.toMatch(/\]\(|\*\*|<font|^>/m);
  expect(md.text).not.toContain(event.name);
  expect(typeof md.fields['title']).toBe('string');
  expect(String(md.fields['title'])).not.toBe('');
  return { md: md.text, txt: txt.text };
}

export async function errorOf(promise: unknown): Promise<HookmuxError> {
  const error: unknown = await Promise.resolve()
    .then(() => promise)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!HookmuxError.is(error)) throw new Error(`expected a HookmuxError, got ${String(error)}`);
  return error;
}
