import { describe, expect, it } from '@jest/globals';
import { Container, Source } from '@hookmux/core';

import giteeModule, { GiteeSource, giteeEventNames, isGiteeEventName, ReplayCache } from './index.js';

describe('source-gitee plugin module', () => {
  it('should bind GiteeSource as a singleton Source with an in-memory replay cache', () => {
    const container = new Container();
    container.load(giteeModule);
    const sources = container.getAll<Source>(Source);
    expect(sources).toHaveLength(1);
    expect(sources[0]).toBeInstanceOf(GiteeSource);
    expect(container.get(GiteeSource)).toBe(sources[0]);
    expect(sources[0]?.id).toBe('gitee');
    const cache = container.get<ReplayCache>(ReplayCache);
    expect(cache.remember('k', 2, 1)).toBe(true);
    expect(container.get<ReplayCache>(ReplayCache).remember('k', 2, 1)).toBe(false);
  });

  it('should list every event name once, each a source.type.action', () => {
    expect(new Set(giteeEventNames).size).toBe(giteeEventNames.length);
    expect(giteeEventNames).toHaveLength(21);
    for (const name of giteeEventNames)
      expect(name).toMatch(/^gitee\.(push|tag_push|issue|merge_request|note)\.[a-z_]+$/);
    expect(isGiteeEventName('gitee.merge_request.tested')).toBe(true);
    expect(isGiteeEventName('gitee.merge_request.test')).toBe(false);
  });
});
