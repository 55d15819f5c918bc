import {
  classifyErrcodeAnswer,
  type DeliveryResult,
  type ErrcodeTable,
  type RobotAnswer,
} from '@hookmux/core';

/** WeCom asks for at least the rest of its one-minute window after 45009 (robots.md §1.4). */
export const weComThrottleWaitMs = 60_000;

/** Busy or concurrency limits: worth another try after a back-off. */
const retryableCodes: ReadonlySet<number> = new Set([-1, 45033]);

/**
 * Codes that no retry can fix: a bad, removed or disabled robot (93000, 93004, 93006, 93008), a
 * message WeCom will never take (40008, 44004, 40058, 45002, 45008).
 */
export const permanentWeComCodes: ReadonlySet<number> = new Set([
  93000, 93004, 93006, 93008, 40008, 44004, 40058, 45002, 45008,
]);

/** What a WeCom answer means for delivery (robots.md §1.6); see `classifyErrcodeAnswer`. */
export function classifyWeComAnswer(answer: RobotAnswer): DeliveryResult {
  return classifyErrcodeAnswer(answer, weComAnswers);
}

const weComAnswers: ErrcodeTable = {
  robot: 'WeCom',
  throttled: new Map([[45009, weComThrottleWaitMs]]),
  retryable: retryableCodes,
  permanent: permanentWeComCodes,
  http429WaitMs: weComThrottleWaitMs,
};
