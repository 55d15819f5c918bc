import type { DeliveryConfig } from '../config/hookmux-config.js';

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential from `backoffMs`,
 * capped at `maxBackoffMs`, with full jitter (a uniform pick in [0, cap]) so that many rows that
 * failed together during an outage do not all come back at the same instant.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function computeBackoffMs(
  attempt: number,
  config: Pick<DeliveryConfig, 'backoffMs' | 'maxBackoffMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const cap = Math.min(config.maxBackoffMs, config.backoffMs * 2 ** exponent);
  return Math.floor(random() * cap);
}
