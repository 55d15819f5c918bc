import { createHash } from 'node:crypto';

import { describe, expect, test } from '@jest/globals';

import type { HookEvent, Sink, SinkTarget } from '@hookmux/core';
import { DingTalkSink } from '@hookmux/sink-dingtalk';
import { FeishuSink } from '@hookmux/sink-feishu';

import { groupDigestEvents } from '../../core/src/digest/group-digest-entries.js';
import { renderDigest } from '../../core/src/digest/render-digest.js';
import { buildRenderer, readOwnFixture, utf8Bytes, wecom } from '../templates/helpers/render-gitee.js';
import { buildPushBody } from '../helpers/gitee-push.js';
import { pushVariant, receiveAll, targets } from './helpers/digest-bursts.js';
import { pushesCarried } from './helpers/read-digest.js';

/**
 * However large the backlog, a digest carries every entry, fits the robot's byte limit, and its
 * counted rows add up: the detailed groups' events plus the counted rest make N.
 */
const renderer = buildRenderer();

/** Real events (through the Gitee source), cloned onto many repositories, branches and people. */
async function backlog(n: number): Promise<HookEvent[]> {
  const seeds = await receiveAll([
    pushVariant({ seq: 1, branch: 'main', commits: 3 }),
    readOwnFixture('pr-update-new-commits.json'),
    readOwnFixture('note-issue-comment.json'),
    readOwnFixture('issue-open.json'),
  ]);
  const actors = [
    { login: 'zhangwei', name: '张伟' },
    { login: 'lina-dev', name: '李娜' },
    { login: 'wangwei', name: '王伟' },
  ];
  return Array.from({ length: n }, (_, i) => {
    const seed = seeds[i % seeds.length] as HookEvent;
    const repoNo = i % 7;
    const repo = {
      ...(seed.data['repo'] as Record<string, unknown>),
      name: `服务-${repoNo}`,
      fullName: `lanting-lab/svc-${repoNo}`,
      url: `https://gitee.com/lanting-lab/svc-${repoNo}`,
    };
    const data: Record<string, unknown> = { ...seed.data, repo, actor: actors[i % 3] };
    if (data['kind'] === 'push') {
      const commits = (seed.data['commits'] as Record<string, unknown>[]).map((c, k) => {
        const id = `${i.toString(16).padStart(8, '0')}${k}`.padEnd(40, 'a');
        return { ...c, id, shortId: id.slice(0, 7), url: `${repo.url}/commit/${id}` };
      });
      data['commits'] = commits;
      data['refName'] = `feature/分支-${i % 11}`;
    }
    if (data['kind'] === 'issue') {
      data['issue'] = {
        ...(seed.data['issue'] as object),
        number: `I${(i % 13).toString(36).toUpperCase()}`,
      };
    }
    return { ...seed, id: `e${i}`, repo: repo.fullName, receivedAt: seed.receivedAt + i * 1000, data };
  });
}

/** Every `[text](url)` whole, every `<font …>` closed, no broken character. */
function expectWellFormed(text: string, format: 'md' | 'txt'): void {
  expect(text).not.toContain('\uFFFD');
  expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  if (format === 'md') {
    const opens = text.match(/<font\b/g)?.length ?? 0;
    expect(text.match(/<\/font>/g)?.length ?? 0).toBe(opens);
    const withoutLinks = text.replace(/\[[^\]\n]*\]\(https?:\/\/[^)\s]+\)/g, '');
    expect(withoutLinks).not.toMatch(/\]\(/);
  }
}

/** What the text counts: events printed in full (from the groups) plus the counted rest. */
function countedIn(text: string, events: readonly HookEvent[], detailed: number): number {
  const groups = groupDigestEvents(events);
  const inFull = groups.slice(0, detailed).reduce((n, g) => n + g.events.length, 0);
  const rest = /另有 (\d+) 条/.exec(text);
  if (rest === null) return inFull;
  const restCount = Number(rest[1]);
  const rows = text.slice(rest.index).split('\n').slice(1);
  const counted = rows.map((line) => /(\d+) 次/.exec(line)).filter((m) => m !== null);
  // Counted rows, when there are any, add up to the rest.
  if (counted.length > 0) expect(counted.reduce((n, m) => n + Number(m[1]), 0)).toBe(restCount);
  return inFull + restCount;
}

const sinks: [string, Sink, SinkTarget][] = [
  ['WeCom markdown', wecom, targets.markdown],
  ['WeCom text', wecom, targets.text],
  ['WeCom markdown_v2', wecom, { name: 'v2', type: 'wecom', settings: { key: 'k', format: 'markdown_v2' } }],
  ['WeCom news', wecom, targets.news],
  [
    'DingTalk markdown',
    new DingTalkSink(),
    {
      name: 'dd',
      type: 'dingtalk',
      settings: { webhook: 'https://oapi.dingtalk.com/robot/send?access_token=t' },
    },
  ],
  [
    'Feishu',
    new FeishuSink(),
    { name: 'fs', type: 'feishu', settings: { webhook: 'https://open.feishu.cn/open-apis/bot/v2/hook/t' } },
  ],
];

describe('a digest carries every entry and fits', () => {
  const sizes = [1, 20, 200, 20_000];
  test.each(sizes)('%i events, every sink and format', async (n) => {
    const events = await backlog(n);
    for (const [label, sink, target] of sinks) {
      const maxBytes = sink.maxTextBytes(target);
      const digest = renderDigest({
        entries: events.map((event, i) => ({ deliveryId: `d${i}`, event, route: 'r' })),
        to: { sink, target },
        renderer,
        digestId: 'dg',
        maxBytes,
      });
      const format = sink.templateFormat(target);
      expect([label, digest.included]).toEqual([label, n]);
      expect(digest.message.count).toBe(n);
      expect(utf8Bytes(digest.message.text)).toBeLessThanOrEqual(maxBytes);
      expect(digest.message.text).toContain(`共 ${n} 条`);
      expectWellFormed(digest.message.text, format);
      expect([label, countedIn(digest.message.text, events, digest.level?.detailed ?? 0)]).toEqual([
        label,
        n,
      ]);
      // The sink turns it into its wire body, the digest whole (news carries articles instead).
      const body = JSON.stringify(sink.toRequestBody(digest.message, target));
      if (label !== 'WeCom news') expect([label, body.includes(`共 ${n} 条`)]).toEqual([label, true]);
    }
  });

  test('the degradation steps in order: all commit lines, fewer lines, counted rows, coarser rows', async () => {
    const events = await backlog(200);
    const at = (maxBytes: number) => digestOf(events, maxBytes);
    const roomy = at(400_000);
    expect(roomy.level).toMatchObject({ detailed: groupDigestEvents(events).length, compact: false });
    expect(roomy.level?.commitLines).toBeGreaterThanOrEqual(3);
    const md = digestOf(await backlog(40), 4096);
    expect(md.level).toMatchObject({ compact: true, grain: 'actor' });
    expect(md.message.text).toContain('按仓库汇总');
    // Room for the total and little else: the coarsest rows still count every event.
    const tight = at(400);
    expect(['kind', 'type', 'total']).toContain(tight.level?.grain);
    expect(countedIn(tight.message.text, events, tight.level?.detailed ?? 0)).toBe(200);
    expect(utf8Bytes(tight.message.text)).toBeLessThanOrEqual(400);
  });

  test('odd limits never cut inside a character, a link or a tag', async () => {
    const events = await backlog(60);
    for (let maxBytes = 90; maxBytes < 5000; maxBytes += 137) {
      const digest = digestOf(events, maxBytes);
      expect(digest.included).toBe(60);
      expect(utf8Bytes(digest.message.text)).toBeLessThanOrEqual(maxBytes);
      expectWellFormed(digest.message.text, 'md');
    }
  });

  test('mentions of every merged event are gathered once, inline and in the message', async () => {
    const events = await receiveAll(
      ['pr-open', 'pr-update-new-commits', 'pr-assign', 'issue-open'].map((f) => readOwnFixture(`${f}.json`)),
    );
    const md = digestOf(events, 4096);
    for (const id of md.message.mentions.userIds) {
      expect(md.message.text.split(`<@${id}>`)).toHaveLength(2);
    }
    const txt = renderDigest({
      entries: events.map((event, i) => ({ deliveryId: `d${i}`, event, route: 'r' })),
      to: { sink: wecom, target: targets.text },
      renderer,
      digestId: 'dg',
      maxBytes: 2048,
    });
    const body = wecom.toRequestBody(txt.message, targets.text) as { text: { mentioned_list?: string[] } };
    expect(body.text.mentioned_list).toEqual(expect.arrayContaining(md.message.mentions.userIds as string[]));
    expect(md.message.mentions.userIds.length).toBeGreaterThan(0);
  });
});

test('print samples', async () => {
  if (process.env['DIGEST_SAMPLES'] === undefined) return;
  for (const [n, max] of [
    [200, 4096],
    [20000, 4096],
    [20000, 2048],
    [40, 4096],
  ] as const) {
    console.log(`--- ${n} @ ${max}\n` + digestOf(await backlog(n), max).message.text);
  }
});

function digestOf(events: readonly HookEvent[], maxBytes: number) {
  return renderDigest({
    entries: events.map((event, i) => ({ deliveryId: `d${i}`, event, route: 'r' })),
    to: { sink: wecom, target: targets.markdown },
    renderer,
    digestId: 'dg',
    maxBytes,
  });
}

describe('a backlog of 200 distinct pushes in one digest, read as the acceptance test reads it', () => {
  test('every short sha is printed or its branch counted, and the counts add up to 200', async () => {
    const branches = ['main', 'feature/退款-v2', 'fix/登录跳转', 'release/v2.3'];
    const bodies = Array.from({ length: 200 }, (_, seq) => {
      const body = buildPushBody({
        seq,
        repo: 'lanting-lab/payment-gateway',
        branch: branches[seq % 4] ?? 'main',
        pusher: seq % 2 === 0 ? 'lina-dev' : 'wangwei',
        pusherName: seq % 2 === 0 ? '李娜' : '王伟',
        commits: [{ message: `fix: 退款回调第 ${seq} 次修正` }],
      });
      const id = createHash('sha1').update(`backlog/${seq}`).digest('hex');
      const commits = (body['commits'] as Record<string, unknown>[]).map((c) => ({ ...c, id }));
      return { ...body, after: id, commits, head_commit: commits[0] };
    });
    const events = await receiveAll(bodies, 0);
    for (const [target, max] of [
      [targets.markdown, 4096],
      [targets.text, 2048],
    ] as const) {
      const digest = renderDigest({
        entries: events.map((event, i) => ({ deliveryId: `d${i}`, event, route: 'r' })),
        to: { sink: wecom, target },
        renderer,
        digestId: 'dg',
        maxBytes: max,
      });
      const text = digest.message.text;
      expect(pushesCarried(text)).toBe(200);
      const printed = events.filter((e) => text.includes(String(e.data['after']).slice(0, 7))).length;
      // As many commit lines per branch as fit: several, not one.
      expect(printed).toBeGreaterThanOrEqual(3 * branches.length);
      for (const branch of branches) expect(text).toContain(branch);
    }
  });
});
