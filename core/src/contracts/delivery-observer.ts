import type { DeliveryResult } from './sink.js';

/** How the rows of one send ended. */
export type DeliveryOutcome = 'sent' | 'retrying' | 'throttled' | 'dead';

/**
 * One send to a robot, as a queue reports it after recording it: one message, or one digest
 * carrying several deliveries. Metrics and the logs are built from these.
 */
export interface DeliveryAttempt {
  readonly sink: string;
  readonly deliveryIds: readonly string[];
  readonly eventIds: readonly string[];
  readonly digestId?: string;
  readonly result: DeliveryResult;
  /** How many of the rows ended each way (a digest's rows can differ: some dead, some retrying). */
  readonly outcomes: Readonly<Partial<Record<DeliveryOutcome, number>>>;
  /** For sent rows: ms from when each was queued until the robot accepted it. */
  readonly latenciesMs: readonly number[];
}

export type DeliveryObserver = (attempt: DeliveryAttempt) => void;
