import {
  classifyErrcodeAnswer,
  type DeliveryResult,
  type ErrcodeTable,
  type RobotAnswer,
} from '@hookmux/core';

/** 130101 "send too fast, exceed 20 times per minute": the rest of the minute. */
export const dingTalkThrottleWaitMs = 60_000;
/** 410100: DingTalk throttles an over-eager robot for 10 minutes (robots.md §2.4, D11). */
export const dingTalkPenaltyWaitMs = 10 * 60_000;

/**
 * Codes no retry can fix (robots.md §2.5): security check (310000), bad or removed token
 * (300001, 300005, 400101, 400106), robot disabled (400102), group dissolved (400013), message
 * refused (400105, 400402, 40035, 43004), content moderation (430101–430104).
 */
export const permanentDingTalkCodes: ReadonlySet<number> = new Set([
  310000, 300001, 300005, 400013, 400101, 400102, 400105, 400106, 400402, 40035, 43004, 430101, 430102,
  430103, 430104,
]);

/** What a DingTalk answer means for delivery (robots.md §2.5); see `classifyErrcodeAnswer`. */
export function classifyDingTalkAnswer(answer: RobotAnswer): DeliveryResult {
  return classifyErrcodeAnswer(answer, dingTalkAnswers);
}

const dingTalkAnswers: ErrcodeTable = {
  robot: 'DingTalk',
  throttled: new Map([
    [130101, dingTalkThrottleWaitMs],
    [410100, dingTalkPenaltyWaitMs],
  ]),
  retryable: new Set([-1]),
  permanent: permanentDingTalkCodes,
  http429WaitMs: dingTalkThrottleWaitMs,
};
