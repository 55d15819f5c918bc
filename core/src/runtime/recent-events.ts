import type { HookEvent } from '../contracts/hook-event.js';

/** What the admin page shows of one accepted event. */
export interface RecentEvent {
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly repo?: string;
  readonly actor?: string;
  readonly summary: string;
  readonly url?: string;
  readonly ping: boolean;
  readonly receivedAt: number;
  /** Sinks it was queued for (empty: no route matched, or a duplicate). */
  readonly sinks: readonly string[];
  readonly duplicate: boolean;
  /** For an event no route matched: which filter of each route refused it. */
  readonly noRoute?: readonly string[];
}

/** The last N accepted events, newest first, in memory (the outbox keeps the deliveries themselves). */
export class RecentEvents {
  readonly #items: RecentEvent[] = [];

  /** `explain` says why an event matched no route (`explainNoMatch` over the routes in force). */
  constructor(
    private readonly capacity = 200,
    private readonly explain?: (event: HookEvent) => readonly string[],
  ) {}

  add(event: HookEvent, sinks: readonly string[], duplicate: boolean): void {
    this.#items.unshift({
      id: event.id,
      name: event.name,
      source: event.source,
      ...(event.repo ? { repo: event.repo } : {}),
      ...(event.actor ? { actor: event.actor } : {}),
      summary: event.summary,
      ...(event.url ? { url: event.url } : {}),
      ping: event.ping,
      receivedAt: event.receivedAt,
      sinks,
      duplicate,
      ...(sinks.length === 0 && !duplicate && this.explain ? { noRoute: this.explain(event) } : {}),
    });
    if (this.#items.length > this.capacity) this.#items.length = this.capacity;
  }

  list(limit = 50): readonly RecentEvent[] {
    return this.#items.slice(0, limit);
  }
}
