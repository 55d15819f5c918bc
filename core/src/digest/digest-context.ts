import type { DigestGroup, DigestPerson, EventView } from './group-digest-entries.js';

/**
 * How much a digest says. Degrading means, in turn: fewer commit lines per push group, then
 * compact groups (short excerpts) with the later groups as counted rows per (repository, ref,
 * kind, actor), then coarser rows (repository and kind, then kind), then the total alone.
 */
export interface DigestLevel {
  /** Commit lines per push group. */
  readonly commitLines: number;
  /** The first this many groups get one commit line more (the room `commitLines` leaves). */
  readonly extraLines: number;
  /** Short excerpts and one commit line at most (a hint to the template). */
  readonly compact: boolean;
  /** How many groups (a prefix) are printed in full; the rest are counted in `summaries`. */
  readonly detailed: number;
  readonly grain: SummaryGrain;
}

export type SummaryGrain = 'actor' | 'kind' | 'type' | 'total';

/** One counted row: events of the groups past `detailed`, per (repository, ref, kind, actor) or coarser. */
export interface DigestSummaryRow {
  /** `data.repo` when known (`name`, `fullName`, `url`), else absent: use `repoId`. */
  readonly repo: Readonly<Record<string, unknown>> | undefined;
  readonly repoId: string;
  /** Branch, tag, `#I9XK2P`, `!42` or a comment target's label; empty on coarser rows. */
  readonly ref: string;
  readonly kind: string;
  readonly actors: DigestPerson[];
  count: number;
  commitCount: number;
}

export interface DigestContextInput {
  readonly id: string;
  readonly groups: readonly DigestGroup[];
  readonly count: number;
  readonly sources: readonly string[];
  readonly mentions: readonly DigestPerson[];
  readonly receivedFrom: number;
  readonly receivedTo: number;
  /** The first groups (up to 8), compact, whatever the level: titles, news articles, card rows. */
  readonly top: readonly Record<string, unknown>[];
}

/** The variables a `_digest` template sees at one level (templates/README.md documents them). */
export function buildDigestContext(input: DigestContextInput, level: DigestLevel): Record<string, unknown> {
  const shown = input.groups.slice(0, level.detailed);
  const rest = input.groups.slice(level.detailed);
  const summaries = summarize(rest, level.grain);
  const summarizedCount = rest.reduce((n, g) => n + g.events.length, 0);
  const firstUrl = input.top.map((g) => g['url']).find((u) => typeof u === 'string' && u !== '');
  return {
    digest: {
      id: input.id,
      count: input.count,
      sources: input.sources,
      source: input.sources.length === 1 ? input.sources[0] : undefined,
      mixed: input.sources.length > 1,
      groupCount: input.groups.length,
      detailed: shown.length,
      compact: level.compact,
      commitLines: level.commitLines,
      grain: level.grain,
      summarizedCount,
      summarizedGroups: rest.length,
      from: input.receivedFrom,
      to: input.receivedTo,
      url: firstUrl,
    },
    groups: shown.map((g, i) =>
      groupView(g, { ...level, commitLines: level.commitLines + (i < level.extraLines ? 1 : 0) }),
    ),
    top: input.top,
    summaries,
    mentions: input.mentions,
  };
}

/** One group as the template sees it (`type` tells which fields it has). */
export function groupView(
  group: DigestGroup,
  level: Pick<DigestLevel, 'commitLines' | 'compact'>,
): Record<string, unknown> {
  const events = group.events;
  const first = events[0] as EventView;
  const last = events[events.length - 1] as EventView;
  const common = {
    type: group.type,
    kind: group.kind,
    source: group.source,
    repo: group.repo ?? { name: group.repoId, fullName: group.repoId },
    repoId: group.repoId,
    ref: group.ref,
    actors: group.actors,
    count: events.length,
    events,
    first,
    last,
    compact: level.compact,
    url: groupUrl(group),
  };
  const eventUrl = common.url;
  switch (group.type) {
    case 'push': {
      const commits = group.commits.slice(0, level.commitLines);
      const compareUrl = rangeCompareUrl(first, last);
      return {
        ...common,
        refName: group.refName,
        isTag: group.isTag,
        created: group.created,
        deleted: group.deleted,
        refUrl: last['refUrl'],
        commitCount: group.commitCount,
        commits,
        moreCommits: Math.max(0, group.commitCount - commits.length),
        compareUrl,
        url: compareUrl ?? last['refUrl'] ?? eventUrl,
      };
    }
    case 'issue':
    case 'merge_request':
      return {
        ...common,
        number: group.number,
        label: group.ref,
        [group.type === 'issue' ? 'issue' : 'pullRequest']:
          last[group.type === 'issue' ? 'issue' : 'pullRequest'],
        steps: group.steps,
      };
    case 'comments':
      return { ...common, target: group.target, comments: events };
    case 'other':
      return { ...common, event: last.event };
  }
}

/** One compare link for a run of pushes: the first push's `before` to the last push's `after`. */
function rangeCompareUrl(first: EventView, last: EventView): unknown {
  const lastUrl = last['compareUrl'];
  // A new branch's compare page starts at 000…: there is no range to show.
  if (typeof lastUrl === 'string' && /\/compare\/0{7,}\b/.test(lastUrl) && first === last) return undefined;
  if (first === last || typeof lastUrl !== 'string') return lastUrl;
  const before = first['before'];
  const after = last['after'];
  const zero = /^0+$/;
  if (typeof before !== 'string' || typeof after !== 'string' || zero.test(before) || zero.test(after))
    return lastUrl;
  const match = /^(.*\/compare\/)[0-9a-f]{7,64}\.\.\.?[0-9a-f]{7,64}$/i.exec(lastUrl);
  return match ? `${match[1]}${before}...${after}` : lastUrl;
}

function groupUrl(group: DigestGroup): string | undefined {
  const last = group.events[group.events.length - 1];
  const meta = last?.event;
  return typeof meta?.['url'] === 'string' && meta['url'] !== '' ? meta['url'] : undefined;
}

function summarize(groups: readonly DigestGroup[], grain: SummaryGrain): DigestSummaryRow[] {
  if (grain === 'total') return [];
  const rows = new Map<string, DigestSummaryRow>();
  for (const group of groups) {
    for (const tally of group.perActor.values()) {
      const key =
        grain === 'actor'
          ? [group.repoId, group.ref, group.kind, tally.actor.source, tally.actor.login ?? tally.actor.name]
          : grain === 'kind'
            ? [group.repoId, group.kind]
            : [group.kind];
      const id = key.join('\u0000');
      let row = rows.get(id);
      if (row === undefined) {
        row = {
          repo: grain === 'type' ? undefined : group.repo,
          repoId: grain === 'type' ? '' : group.repoId,
          ref: grain === 'actor' ? group.ref : '',
          kind: group.kind,
          actors: [],
          count: 0,
          commitCount: 0,
        };
        rows.set(id, row);
      }
      row.count += tally.count;
      row.commitCount += tally.commitCount;
      if (grain === 'actor' && row.actors.length === 0) row.actors.push(tally.actor);
    }
  }
  // One repository's rows together, in the order they first appeared.
  return [...rows.values()].sort((a, b) => (a.repoId < b.repoId ? -1 : a.repoId > b.repoId ? 1 : 0));
}
