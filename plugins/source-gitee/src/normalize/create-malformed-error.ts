import { HookmuxError } from '@hookmux/core';

/** 400 naming the missing or unusable field, so the Gitee delivery log shows what was wrong. */
export function createMalformedError(
  kind: string,
  field: string,
  problem = 'is missing or not usable',
): HookmuxError {
  return new HookmuxError('HM_ERR_SRC_MALFORMED', `Gitee ${kind} payload: ${field} ${problem}`, {
    hint: 'the body does not look like a Gitee WebHook delivery; send it from Gitee, or compare it with a delivery in the hook log',
    at: field,
  });
}
