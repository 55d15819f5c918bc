import { createHash } from 'node:crypto';

import type { HookEvent, SinkTarget } from '@hookmux/core';
import { GiteeSource, MemoryReplayCache } from '@hookmux/source-gitee';

import { renderDigest, type RenderedDigest } from '../../../core/src/digest/render-digest.js';
import type { MessageRenderer } from '../../../core/src/templates/message-renderer.js';
import { readSharedFixture } from '../../helpers/shared-fixtures.js';
import { readOwnFixture, receiveGitee, wecom } from '../../templates/helpers/render-gitee.js';

/**
 * Bursts of real Gitee deliveries (hookmux's own fixtures in test/templates/fixtures and the
 * recorded ones in ../shared/fixtures/gitee), normalised through the real Gitee source, as the
 * dispatcher hands them to `renderDigest`.
 */

type Body = Record<string, unknown>;

export function ownBody(file: string): Body {
  return JSON.parse(readOwnFixture(file).toString('utf8')) as Body;
}

export function sharedBody(file: string): Body {
  return JSON.parse(readSharedFixture('gitee', file).toString('utf8')) as Body;
}

const people = {
  zhangwei: { id: 10001, name: '张伟', login: 'zhangwei' },
  'lina-dev': { id: 10002, name: '李娜', login: 'lina-dev' },
  wangwei: { id: 10005, name: '王伟', login: 'wangwei' },
} as const;
export type Pusher = keyof typeof people;

function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/**
 * A real push body (push-25-commits.json: 张伟 pushing 25 commits to lanting-lab/yunque-api)
 * re-aimed at another branch, pusher and slice of its commits; commit ids are derived from `seq`
 * so that every push is distinct and the pushes chain (`before` = the previous push's `after`).
 */
export function pushVariant(spec: {
  seq: number;
  branch?: string;
  pusher?: Pusher;
  commits?: number;
  offset?: number;
  before?: string;
}): Body {
  const body = ownBody('push-25-commits.json');
  const pusher = people[spec.pusher ?? 'zhangwei'];
  const branch = spec.branch ?? 'main';
  const all = body['commits'] as Body[];
  const offset = spec.offset ?? 0;
  const picked = all.slice(offset, offset + (spec.commits ?? 3));
  const user = {
    ...(body['pusher'] as Body),
    id: pusher.id,
    name: pusher.name,
    username: pusher.login,
    user_name: pusher.login,
    login: pusher.login,
    url: `https://gitee.com/${pusher.login}`,
  };
  const repoUrl = 'https://gitee.com/lanting-lab/yunque-api';
  const commits = picked.map((c, i) => {
    const id = sha(`${spec.seq}/${i}`);
    const author = {
      ...(c['author'] as Body),
      name: pusher.name,
      username: pusher.login,
      user_name: pusher.login,
    };
    return { ...c, id, url: `${repoUrl}/commit/${id}`, author, committer: author };
  });
  const before = spec.before ?? sha(`${spec.seq}/before`);
  const after = commits[commits.length - 1]?.id ?? sha(`${spec.seq}/after`);
  return {
    ...body,
    ref: `refs/heads/${branch}`,
    before,
    after,
    compare: `${repoUrl}/compare/${before}...${after}`,
    commits,
    head_commit: commits[commits.length - 1] ?? null,
    total_commits_count: commits.length,
    commits_more_than_ten: commits.length > 10,
    user,
    pusher: user,
    sender: user,
    user_name: pusher.name,
    timestamp: String(1716172000000 + spec.seq),
  };
}

/** A chain of pushes on one branch: each push's `before` is the previous one's `after`. */
export function pushChain(
  count: number,
  spec: { branch: string; pushers: readonly Pusher[]; commits: number; seq: number },
): Body[] {
  const out: Body[] = [];
  let before: string | undefined;
  for (let i = 0; i < count; i++) {
    const body = pushVariant({
      seq: spec.seq + i,
      branch: spec.branch,
      pusher: spec.pushers[i % spec.pushers.length] ?? 'zhangwei',
      commits: spec.commits,
      offset: (i * spec.commits) % 22,
      ...(before === undefined ? {} : { before }),
    });
    before = body['after'] as string;
    out.push(body);
  }
  return out;
}

/** Bodies through one real Gitee source (it remembers issue states, as in production). */
export async function receiveAll(bodies: readonly (Body | Buffer)[], minuteStep = 1): Promise<HookEvent[]> {
  const source = new GiteeSource(new MemoryReplayCache());
  const events: HookEvent[] = [];
  for (const [i, body] of bodies.entries()) {
    const event = await receiveGitee(Buffer.isBuffer(body) ? body : JSON.stringify(body), { source });
    events.push({ ...event, receivedAt: event.receivedAt + i * minuteStep * 60_000 });
  }
  return events;
}

export const targets = {
  markdown: { name: 'team-md', type: 'wecom', settings: { key: 'k', format: 'markdown' } },
  text: { name: 'team-txt', type: 'wecom', settings: { key: 'k', format: 'text' } },
  news: { name: 'team-news', type: 'wecom', settings: { key: 'k', format: 'news' } },
  card: { name: 'team-card', type: 'wecom', settings: { key: 'k', format: 'template_card' } },
} satisfies Record<string, SinkTarget>;

export function digestOf(
  renderer: MessageRenderer,
  events: readonly HookEvent[],
  target: SinkTarget,
  maxBytes: number = wecom.maxTextBytes(target),
): RenderedDigest {
  return renderDigest({
    entries: events.map((event, i) => ({ deliveryId: `d${i}`, event, route: 'r' })),
    to: { sink: wecom, target },
    renderer,
    digestId: 'dg-test',
    maxBytes,
  });
}
