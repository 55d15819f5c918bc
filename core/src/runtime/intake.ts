import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import type { DeliveryRequest, Queue } from '../contracts/queue.js';
import type { IntakeOutcome } from '../contracts/source.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { matchRoutes } from '../routing/compile-routes.js';
import type { RenderTarget } from '../templates/message-renderer.js';
import type { RuntimeHolder } from './runtime-holder.js';

/**
 * The path every accepted event takes: route, render once per target sink, queue durably. The
 * HTTP answer waits for this and nothing after it, never for a robot.
 */
/** Told about every accepted event, after its deliveries are queued (metrics, the admin page). */
export type IntakeListener = (outcome: IntakeOutcome, deliveries: readonly DeliveryRequest[]) => void;

export class Intake {
  readonly #listeners: IntakeListener[] = [];

  constructor(
    private readonly holder: RuntimeHolder,
    private readonly queue: Queue,
    private readonly logger: Logger,
  ) {}

  onAccepted(listener: IntakeListener): void {
    this.#listeners.push(listener);
  }

  /** What the event would produce, without queueing it (`hookmux render`, the admin playground). */
  plan(event: HookEvent): DeliveryRequest[] {
    const runtime = this.holder.current;
    const deliveries: DeliveryRequest[] = [];
    for (const match of matchRoutes(event, runtime.routes)) {
      const resolved = runtime.sinks.get(match.sink);
      if (!resolved) continue; // config validation makes this unreachable
      deliveries.push({
        eventId: event.id,
        eventName: event.name,
        route: match.route.name,
        sink: match.sink,
        message: this.#render(event, resolved, match.route.template),
      });
    }
    return deliveries;
  }

  async accept(event: HookEvent): Promise<IntakeOutcome> {
    const deliveries = this.plan(event);
    const result =
      deliveries.length > 0 ? await this.queue.enqueue(deliveries) : { queued: 0, duplicates: 0 };
    this.logger.info(
      {
        eventId: event.id,
        event: event.name,
        repo: event.repo,
        ping: event.ping || undefined,
        routes: [...new Set(deliveries.map((d) => d.route))],
        queued: result.queued,
        duplicates: result.duplicates,
      },
      deliveries.length === 0 ? 'event accepted, no route matched' : 'event accepted',
    );
    const outcome = {
      event,
      deliveries: result.queued,
      duplicate: result.queued === 0 && result.duplicates > 0,
    };
    for (const listener of this.#listeners) {
      try {
        listener(outcome, deliveries);
      } catch (error) {
        this.logger.error({ err: error, eventId: event.id }, 'an intake listener failed');
      }
    }
    return outcome;
  }

  /**
   * A template that fails at run time must not lose the event: the sink gets a plain fallback
   * (summary and link) and the log says which template broke.
   */
  #render(event: HookEvent, resolved: RenderTarget, routeDir: string | undefined): Message {
    try {
      return this.holder.current.renderer.render(event, resolved, routeDir);
    } catch (error) {
      const err = HookmuxError.is(error) ? error : new HookmuxError('HM_ERR_TPL_RENDER', String(error));
      this.logger.error(
        { eventId: event.id, sink: resolved.target.name, err: err.describe() },
        'template failed; sending a fallback',
      );
      const format = resolved.sink.templateFormat(resolved.target);
      const text = event.url ? `${event.summary}\n${event.url}` : event.summary;
      return {
        eventId: event.id,
        eventName: event.name,
        sink: resolved.target.name,
        format,
        text,
        fields: {},
        mentions: { userIds: [], mobiles: [], all: false },
        ...(event.url ? { url: event.url } : {}),
        summary: event.summary,
        count: 1,
      };
    }
  }
}
