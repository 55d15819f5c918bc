import Router from '@koa/router';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { DeliveryAttempt } from '../contracts/delivery-observer.js';
import type { DeliveryStore } from '../contracts/delivery-store.js';
import type { IntakeOutcome } from '../contracts/source.js';
import type { HookmuxError } from '../errors/hookmux-error.js';

export interface Metrics {
  readonly registry: Registry;
  /** Serves `GET /metrics` in Prometheus text format. */
  readonly router: Router;
  onAccepted(outcome: IntakeOutcome): void;
  onRejected(source: string, error: HookmuxError): void;
  onAttempt(attempt: DeliveryAttempt): void;
}

/**
 * Prometheus metrics, in a registry of this instance's own (so several instances in one process,
 * as in tests, do not share counts). Queue depth and age are read from the store at scrape time.
 */
export function createMetrics(store: DeliveryStore): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hookmux_' });
  const received = new Counter({
    name: 'hookmux_events_received_total',
    help: 'Events accepted, by source and type (duplicates and pings included).',
    labelNames: ['source', 'type'] as const,
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'hookmux_events_duplicate_total',
    help: 'Accepted events that had been delivered to their targets already (same event posted again).',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'hookmux_events_rejected_total',
    help: 'Requests refused, by source and error code (HM_ERR_SRC_SIGNATURE, HM_ERR_HTTP_BODY_TOO_LARGE, ...).',
    labelNames: ['source', 'reason'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'hookmux_deliveries_total',
    help: 'Deliveries by sink and outcome of their send (sent, retrying, throttled, dead).',
    labelNames: ['sink', 'outcome'] as const,
    registers: [registry],
  });
  const robotErrors = new Counter({
    name: 'hookmux_robot_errors_total',
    help: 'Failed sends by sink and the robot’s code (45009, 93000, http_502, timeout, ...).',
    labelNames: ['sink', 'code'] as const,
    registers: [registry],
  });
  const digests = new Counter({
    name: 'hookmux_digests_total',
    help: 'Digest messages sent (a backlog merged into one message), by sink.',
    labelNames: ['sink'] as const,
    registers: [registry],
  });
  const merged = new Counter({
    name: 'hookmux_digest_events_total',
    help: 'Deliveries that went out inside a digest, by sink.',
    labelNames: ['sink'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'hookmux_delivery_latency_seconds',
    help: 'From queued to accepted by the robot, by sink.',
    labelNames: ['sink'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  new Gauge({
    name: 'hookmux_queue_depth',
    help: 'Deliveries waiting (pending, retrying, sending) or dead, by sink and status.',
    labelNames: ['sink', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const stats of await store.stats()) {
        for (const status of ['pending', 'retrying', 'sending', 'dead'] as const) {
          this.set({ sink: stats.sink, status }, stats.counts[status]);
        }
      }
    },
  });
  new Gauge({
    name: 'hookmux_queue_oldest_pending_seconds',
    help: 'Age of the oldest delivery still waiting, by sink (0 when none).',
    labelNames: ['sink'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const stats of await store.stats())
        this.set({ sink: stats.sink }, (stats.oldestPendingAgeMs ?? 0) / 1000);
    },
  });

  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });

  return {
    registry,
    router,
    onAccepted(outcome) {
      received.inc({ source: outcome.event.source, type: outcome.event.type });
      if (outcome.duplicate) duplicates.inc({ source: outcome.event.source });
    },
    onRejected(source, error) {
      rejected.inc({ source, reason: error.code });
    },
    onAttempt(attempt) {
      for (const [outcome, count] of Object.entries(attempt.outcomes)) {
        if (count) deliveries.inc({ sink: attempt.sink, outcome }, count);
      }
      if (!attempt.result.ok)
        robotErrors.inc({ sink: attempt.sink, code: String(attempt.result.code ?? attempt.result.kind) });
      if (attempt.digestId && attempt.result.ok) {
        digests.inc({ sink: attempt.sink });
        merged.inc({ sink: attempt.sink }, attempt.deliveryIds.length);
      }
      for (const ms of attempt.latenciesMs) latency.observe({ sink: attempt.sink }, ms / 1000);
    },
  };
}
