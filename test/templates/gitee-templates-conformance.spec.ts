import { describe, expect, test } from '@jest/globals';

import type { HookEvent } from '@hookmux/core';
import type {
  GiteeHookData,
  GiteeIssueData,
  GiteeNoteData,
  GiteePullRequestData,
  GiteePushData,
} from '@hookmux/source-gitee';

import {
  hasSharedFixtures,
  listSharedFixtures,
  noteSkipped,
  readSharedFixture,
} from '../helpers/shared-fixtures.js';
import { buildRenderer, receiveGitee, renderBoth, utf8Bytes, weComMaxBytes } from './helpers/render-gitee.js';

/**
 * Every real Gitee delivery in ../shared, through the real source and the built-in templates, as
 * a WeCom markdown and a WeCom text message. push-6 is a WeCom-format body the source rejects.
 */
const files = listSharedFixtures('gitee').filter((f) => !f.startsWith('push-6-'));
const renderer = buildRenderer();

/** The facts a reader needs, per kind: what the message must show whatever the wording. */
function keyFacts(event: HookEvent): string[] {
  const data = event.data as unknown as GiteeHookData;
  const facts = [data.repo.fullName];
  switch (data.kind) {
    case 'push':
    case 'tag_push': {
      const push = data as GiteePushData;
      facts.push(push.refName, push.actor.name);
      if (event.action === 'update') {
        for (const commit of push.commits.slice(0, 10)) facts.push(commit.shortId, commit.author.name);
      }
      break;
    }
    case 'issue': {
      const { issue } = data as GiteeIssueData;
      facts.push(`#${issue.number}`, issue.title, data.actor.name);
      if (event.action === 'state_change') facts.push(issue.stateName ?? issue.state ?? '');
      if (event.action !== 'delete') facts.push(...issue.labels);
      break;
    }
    case 'merge_request': {
      const { pullRequest } = data as GiteePullRequestData;
      facts.push(`!${pullRequest.number}`, pullRequest.title, data.actor.name);
      facts.push(pullRequest.sourceBranch ?? '', pullRequest.targetBranch ?? '', ...pullRequest.labels);
      break;
    }
    case 'note': {
      const { target, comment } = data as GiteeNoteData;
      facts.push(target.label, data.actor.name, (comment.body.split('\n')[0] ?? '').trim());
      if (target.title) facts.push(target.title);
      break;
    }
  }
  return facts.filter((f) => f !== '');
}

describe('built-in Gitee templates × every real delivery in ../shared/fixtures/gitee', () => {
  if (!hasSharedFixtures()) {
    noteSkipped('gitee-templates-conformance');
    test.skip('../shared not found', () => undefined);
    return;
  }

  test('the shared set is there (so an empty list cannot pass silently)', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  test.each(files)('%s', async (file) => {
    const event = await receiveGitee(readSharedFixture('gitee', file), {
      ping: file.startsWith('ping-test-'),
    });
    const { md, txt } = renderBoth(renderer, event);
    if (process.env['HOOKMUX_PRINT_MESSAGES']) {
      console.log(
        `── ${file} (${event.name})\n${md.text}\n┄┄ fields ${JSON.stringify(md.fields)}\n┄┄\n${txt.text}`,
      );
    }

    for (const [message, limit] of [
      [md, weComMaxBytes.md],
      [txt, weComMaxBytes.txt],
    ] as const) {
      expect(message.text.trim()).not.toBe('');
      expect(utf8Bytes(message.text)).toBeLessThanOrEqual(limit);
      for (const fact of keyFacts(event)) expect(message.text).toContain(fact);
      // Nothing unrendered or empty leaks through: no `[]()`-style holes, no "undefined".
      expect(message.text).not.toMatch(/undefined|\[object Object\]|\]\(\)|\{\{/);
    }

    // Markdown links to the thing itself; text writes the URL out, with no markdown syntax.
    // (A deleted issue's page is gone: its message links the repository instead.)
    const data = event.data as unknown as GiteeHookData;
    const repoUrl = data.repo.url;
    if (event.action === 'delete') expect(md.text).toContain(`](${repoUrl})`);
    else if (event.url && event.type !== 'push' && event.type !== 'tag_push')
      expect(md.text).toContain(`](${event.url.split('#')[0]}`);
    expect(txt.text).not.toMatch(/\]\(|\*\*|<font|^>/m);
    if (event.action !== 'delete') expect(txt.text).toMatch(/https:\/\/gitee\.com\//);

    // news / template_card sinks get structured fields from the same template.
    expect(md.fields['title']).toEqual(
      expect.stringContaining(data.kind === 'note' ? (data as GiteeNoteData).target.label : ''),
    );
    expect(typeof md.fields['title']).toBe('string');
    expect((md.fields['title'] as string).length).toBeGreaterThan(0);
    expect(md.fields['url']).toMatch(/^https:\/\/gitee\.com\//);
  });
});
