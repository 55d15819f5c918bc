import type { DeliveryRequest, EnqueueResult, Queue } from '../contracts/queue.js';
import type { SinkDirectory } from '../contracts/sink-directory.js';
import type { Logger } from '../logging/logger.js';

/**
 * `storage: memory`: sends each delivery at once, in the background, with no retry and no rate
 * limit; what a process crash interrupts is lost. For dry runs and tests of the HTTP path only:
 * the default `sqlite` storage is the durable one.
 */
export class InstantQueue implements Queue {
  readonly #seen = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly sinks: SinkDirectory,
    private readonly logger: Logger,
  ) {}

  enqueue(deliveries: readonly DeliveryRequest[]): Promise<EnqueueResult> {
    let queued = 0;
    for (const delivery of deliveries) {
      const key = `${delivery.eventId}\u0000${delivery.sink}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      queued += 1;
      const sending = this.#send(delivery).finally(() => this.#inFlight.delete(sending));
      this.#inFlight.add(sending);
    }
    return Promise.resolve({ queued, duplicates: deliveries.length - queued });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #send(delivery: DeliveryRequest): Promise<void> {
    const resolved = this.sinks.resolve(delivery.sink);
    const log = this.logger.child({ eventId: delivery.eventId, sink: delivery.sink });
    if (!resolved) {
      log.error('sink is no longer configured; delivery dropped (storage: memory keeps nothing)');
      return;
    }
    const result = await resolved.sink.send(delivery.message, resolved.target, {
      logger: log,
      signal: AbortSignal.timeout(resolved.timeoutMs),
    });
    if (result.ok) log.info({ code: result.code }, 'delivered');
    else log.error({ kind: result.kind, code: result.code, detail: result.detail }, 'delivery failed');
  }
}
