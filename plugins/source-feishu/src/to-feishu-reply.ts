import type { HookmuxError, HookmuxErrorCode, HttpReply } from '@hookmux/core';

/** Feishu's success answer, verbatim (robots.md §3.5; shared fixture feishu-resp-success.json). */
export const feishuSuccessBody = {
  StatusCode: 0,
  StatusMessage: 'success',
  code: 0,
  data: {},
  msg: 'success',
} as const;

/** Feishu's error answers, in the shapes of its documented examples (feishu-resp-*.json). */
export const feishuErrorBodies = {
  badRequest: { code: 9499, msg: 'Bad Request', data: {} },
  tokenInvalid: { code: 19001, data: {}, msg: 'param invalid: incoming webhook access token invalid' },
  msgType: { code: 19002, data: {}, msg: 'param invalid: msg_type' },
  signature: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
  ip: { code: 19022, msg: 'Ip Not Allowed' },
  keyword: { code: 19024, msg: 'Key Words Not Found' },
} as const;

const byCode: Partial<Record<HookmuxErrorCode, keyof typeof feishuErrorBodies>> = {
  HM_ERR_SRC_UNKNOWN_ROBOT: 'tokenInvalid',
  HM_ERR_SRC_SIGNATURE: 'signature',
  HM_ERR_SRC_STALE_TIMESTAMP: 'signature',
  HM_ERR_SRC_NO_TOKEN: 'signature',
  HM_ERR_SRC_KEYWORD: 'keyword',
  HM_ERR_HTTP_FORBIDDEN_IP: 'ip',
  HM_ERR_SRC_UNSUPPORTED_MESSAGE: 'msgType',
  HM_ERR_HTTP_BAD_JSON: 'badRequest',
  HM_ERR_HTTP_BODY_TOO_LARGE: 'badRequest',
  HM_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: 'badRequest',
  HM_ERR_SRC_MALFORMED: 'badRequest',
};

/**
 * The answer Feishu would give for `error`: HTTP 200 with its code, as Feishu does for 19024
 * (robots.md §3.5 [OBS F6]; the others are unconfirmed, and one status for all keeps clients that
 * read only `code` and clients that read only the status consistent).
 *
 * hookmux's own failures (storage down, a bug) have no Feishu equivalent: they keep their 5xx
 * status, so that a client retries, with a non-zero `code` so that SDKs reading the body do too.
 */
export function toFeishuReply(error: HookmuxError): HttpReply {
  const key = byCode[error.code as HookmuxErrorCode];
  if (key !== undefined) return { status: 200, body: feishuErrorBodies[key] };
  if (error.expose) return { status: 200, body: feishuErrorBodies.badRequest };
  return { status: error.status, body: { code: error.status, msg: 'Internal Server Error', data: {} } };
}
