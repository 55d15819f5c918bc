import type { HookEvent } from '../contracts/hook-event.js';

/**
 * A digest's entries merged into the groups its template prints. Works on the cross-host
 * `HookEvent.data` shape (Gitee's, which the GitHub, GitLab and Gitea sources fill too): pushes of
 * one kind on one repository and ref, one issue or pull request's transitions, the comments on
 * one target, and one line for anything else. Groups keep the order in which they first appear.
 */

/** The variables a single-event template sees for this event (`{...data, event, payload}`). */
export type EventView = Readonly<Record<string, unknown>> & {
  readonly event: Readonly<Record<string, unknown>>;
};

export interface DigestPerson {
  readonly login?: string;
  readonly name: string;
  readonly url?: string;
  /** The `people:` key the login belongs to (the event's source), so mixed digests mention right. */
  readonly source: string;
}

export interface DigestCommit {
  readonly id: string;
  readonly shortId: string;
  readonly title: string;
  readonly url?: string;
  readonly author: { readonly name: string; readonly login?: string };
}

interface GroupBase {
  readonly key: string;
  readonly source: string;
  /** `data.repo` of the newest event (`name`, `fullName`, `url`, ...), when the source has one. */
  readonly repo: Readonly<Record<string, unknown>> | undefined;
  /** The routing keys of the summary rows: repository id, kind and ref of this group. */
  readonly repoId: string;
  readonly kind: string;
  readonly ref: string;
  /** Who did it, first appearance first, once each. */
  readonly actors: DigestPerson[];
  /** The events, oldest first, as single-event templates see them. */
  readonly events: EventView[];
  /** How many events each actor did (for summary rows). */
  readonly perActor: Map<string, { actor: DigestPerson; count: number; commitCount: number }>;
}

export interface PushGroup extends GroupBase {
  readonly type: 'push';
  readonly refName: string;
  readonly isTag: boolean;
  /** Every distinct commit listed, newest first. */
  readonly commits: DigestCommit[];
  /** Commits pushed in all (Gitee caps a push's list; the count is `commitCount`). */
  commitCount: number;
  created: boolean;
  deleted: boolean;
}

export interface ThreadStep {
  readonly action: string;
  count: number;
  readonly actors: DigestPerson[];
  /** The newest event of this step. */
  last: EventView;
}

export interface ThreadGroup extends GroupBase {
  readonly type: 'issue' | 'merge_request';
  readonly number: string;
  /** Transitions in order, a run of the same action merged (`update ×3`). */
  readonly steps: ThreadStep[];
}

export interface CommentGroup extends GroupBase {
  readonly type: 'comments';
  /** `data.target` of the newest comment: `kind`, `label`, `title`, `url`. */
  target: Readonly<Record<string, unknown>> | undefined;
}

export interface OtherGroup extends GroupBase {
  readonly type: 'other';
}

export type DigestGroup = PushGroup | ThreadGroup | CommentGroup | OtherGroup;

export function groupDigestEvents(events: readonly HookEvent[]): DigestGroup[] {
  const groups: DigestGroup[] = [];
  const byKey = new Map<string, DigestGroup>();
  for (const [index, event] of events.entries()) {
    const data = event.data;
    const view = toEventView(event);
    const kind = readString(data['kind']) ?? event.type;
    const repo = readRecord(data['repo']);
    const repoId = readString(repo?.['fullName']) ?? event.repo ?? '';
    const actor = toPerson(data['actor'], event.source) ?? fallbackActor(event);
    const base = (key: string, ref: string): GroupBase => ({
      key,
      source: event.source,
      repo,
      repoId,
      kind,
      ref,
      actors: [],
      events: [],
      perActor: new Map(),
    });

    let group: DigestGroup;
    let commitCount = 0;
    if (kind === 'push' || kind === 'tag_push') {
      const refName = readString(data['refName']) ?? event.branch ?? event.tag ?? '';
      const key = `push\u0000${event.source}\u0000${kind}\u0000${repoId}\u0000${refName}`;
      const found = byKey.get(key);
      const push: PushGroup =
        found?.type === 'push'
          ? found
          : {
              ...base(key, refName),
              type: 'push',
              refName,
              isTag: kind === 'tag_push',
              commits: [],
              commitCount: 0,
              created: false,
              deleted: false,
            };
      commitCount = readNumber(data['commitCount']) ?? readList(data['commits']).length;
      push.commitCount += commitCount;
      if (data['created'] === true) push.created = true;
      push.deleted = data['deleted'] === true;
      // Newest first: this push's list reversed, in front of the earlier pushes' commits.
      const seen = new Set(push.commits.map((c) => c.id));
      const fresh = readList(data['commits'])
        .map(toCommit)
        .filter((c): c is DigestCommit => c !== undefined && !seen.has(c.id))
        .reverse();
      push.commits.unshift(...fresh);
      group = push;
    } else if ((kind === 'issue' || kind === 'merge_request') && threadNumber(data, kind) !== undefined) {
      const number = threadNumber(data, kind) ?? '';
      const key = `thread\u0000${event.source}\u0000${kind}\u0000${repoId}\u0000${number}`;
      const found = byKey.get(key);
      const thread: ThreadGroup =
        found?.type === kind
          ? found
          : { ...base(key, threadLabel(data, kind, number)), type: kind, number, steps: [] };
      const action = event.action ?? '';
      const lastStep = thread.steps[thread.steps.length - 1];
      if (lastStep !== undefined && lastStep.action === action) {
        lastStep.count++;
        lastStep.last = view;
        addPerson(lastStep.actors, actor);
      } else {
        thread.steps.push({ action, count: 1, actors: [actor], last: view });
      }
      group = thread;
    } else if (kind === 'note') {
      const target = readRecord(data['target']);
      const label = readString(target?.['label']) ?? '';
      const key = `note\u0000${event.source}\u0000${repoId}\u0000${readString(target?.['kind']) ?? ''}\u0000${label}`;
      const found = byKey.get(key);
      const comments: CommentGroup =
        found?.type === 'comments' ? found : { ...base(key, label), type: 'comments', target };
      comments.target = target;
      group = comments;
    } else {
      group = { ...base(`other\u0000${index}`, event.branch ?? event.tag ?? ''), type: 'other' };
    }

    if (!byKey.has(group.key)) {
      byKey.set(group.key, group);
      groups.push(group);
    }
    if (repo !== undefined) (group as { repo: unknown }).repo = repo;
    group.events.push(view);
    addPerson(group.actors, actor);
    const actorKey = personKey(actor);
    const tally = group.perActor.get(actorKey) ?? { actor, count: 0, commitCount: 0 };
    tally.count++;
    tally.commitCount += commitCount;
    group.perActor.set(actorKey, tally);
  }
  return groups;
}

export function toEventView(event: HookEvent): EventView {
  const { payload, data, ...meta } = event;
  return { ...data, event: meta, payload };
}

/** Everyone the events ask something of, once each (each event's `mentions` leaves out its actor). */
export function gatherMentions(events: readonly HookEvent[]): DigestPerson[] {
  const out: DigestPerson[] = [];
  for (const event of events) {
    for (const login of readList(event.data['mentions'])) {
      if (typeof login === 'string' && login !== '')
        addPerson(out, { login, name: login, source: event.source });
    }
  }
  return out;
}

function threadNumber(data: Readonly<Record<string, unknown>>, kind: string): string | undefined {
  const info = readRecord(data[kind === 'issue' ? 'issue' : 'pullRequest']);
  const number = info?.['number'];
  return typeof number === 'number' ? String(number) : readString(number);
}

/** The host's own label when it gives one (GitHub `#12`, GitLab `!12`), else Gitee's (`#I9XK2P`, `!42`). */
function threadLabel(data: Readonly<Record<string, unknown>>, kind: string, number: string): string {
  const info = readRecord(data[kind === 'issue' ? 'issue' : 'pullRequest']);
  return readString(info?.['label']) ?? (kind === 'issue' ? `#${number}` : `!${number}`);
}

function toCommit(value: unknown): DigestCommit | undefined {
  const c = readRecord(value);
  const id = readString(c?.['id']);
  if (c === undefined || id === undefined) return undefined;
  const author = readRecord(c['author']);
  const url = readString(c['url']);
  const login = readString(author?.['login']);
  return {
    id,
    shortId: readString(c['shortId']) ?? id.slice(0, 7),
    title: readString(c['title']) ?? '',
    ...(url === undefined ? {} : { url }),
    author: { name: readString(author?.['name']) ?? login ?? '', ...(login === undefined ? {} : { login }) },
  };
}

function toPerson(value: unknown, source: string): DigestPerson | undefined {
  const p = readRecord(value);
  if (p === undefined) return undefined;
  const login = readString(p['login']);
  const name = readString(p['name']) ?? login;
  if (name === undefined) return undefined;
  const url = readString(p['url']);
  return { ...(login === undefined ? {} : { login }), name, ...(url === undefined ? {} : { url }), source };
}

function fallbackActor(event: HookEvent): DigestPerson {
  return event.actor === undefined
    ? { name: event.source, source: event.source }
    : { login: event.actor, name: event.actor, source: event.source };
}

function personKey(p: DigestPerson): string {
  return `${p.source}\u0000${p.login ?? `=${p.name}`}`;
}

function addPerson(list: DigestPerson[], person: DigestPerson): void {
  const key = personKey(person);
  if (!list.some((p) => personKey(p) === key)) list.push(person);
}

function readRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function readList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function readString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
