import type { HookEvent } from '../contracts/hook-event.js';
import type { Message } from '../contracts/message.js';
import type { DeliveryRequest, Queue, RenderedDeliveryRequest } from '../contracts/queue.js';
import type { IntakeOutcome } from '../contracts/source.js';
import { fallbackMessage } from '../delivery/send-renderer.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import { matchRoutes } from '../routing/compile-routes.js';
import type { RenderTarget } from '../templates/message-renderer.js';
import type { RuntimeHolder } from './runtime-holder.js';

/** Told about every accepted event, after its deliveries are queued (metrics, the admin page). */
export type IntakeListener = (outcome: IntakeOutcome, deliveries: readonly DeliveryRequest[]) => void;

/**
 * The path every accepted event takes: route, commit the event and one row per target sink, answer.
 * The HTTP answer waits for the commit and nothing after it: never for a template (the dispatcher
 * renders when it sends) and never for a robot.
 */
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

  /** Where the event goes: one delivery per (route, sink) match, nothing rendered. */
  targets(event: HookEvent): DeliveryRequest[] {
    const runtime = this.holder.current;
    const deliveries: DeliveryRequest[] = [];
    for (const match of matchRoutes(event, runtime.routes)) {
      if (!runtime.sinks.has(match.sink)) continue; // config validation makes this unreachable
      deliveries.push({
        eventId: event.id,
        eventName: event.name,
        route: match.route.name,
        sink: match.sink,
        ...(match.route.template === undefined ? {} : { routeDir: match.route.template }),
        ...(match.route.batchMs !== undefined && match.route.batchMs > 0
          ? { batchMs: match.route.batchMs }
          : {}),
        event,
      });
    }
    return deliveries;
  }

  /**
   * What the event would produce, rendered now, without queueing it (`hookmux render`, the admin
   * playground): dry runs only; accepted events are rendered by the dispatcher when sent.
   */
  plan(event: HookEvent): RenderedDeliveryRequest[] {
    const runtime = this.holder.current;
    return this.targets(event).map((d) => {
      const resolved = runtime.sinks.get(d.sink);
      if (!resolved) throw new HookmuxError('HM_ERR_SINK_NOT_FOUND', `sink "${d.sink}" is not configured`);
      return { ...d, message: this.#render(event, resolved, d.routeDir) };
    });
  }

  async accept(event: HookEvent): Promise<IntakeOutcome> {
    const deliveries = this.targets(event);
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
      return fallbackMessage(event, resolved);
    }
  }
}
