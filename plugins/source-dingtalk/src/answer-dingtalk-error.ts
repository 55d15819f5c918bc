import type { HookmuxError, HookmuxErrorCode, HttpReply } from '@hookmux/core';

/** DingTalk's answer body: `{"errcode":0,"errmsg":"ok"}` or an error code (robots.md §2.5). */
export interface DingTalkAnswer {
  readonly errcode: number;
  readonly errmsg: string;
}

export const dingTalkOk: DingTalkAnswer = { errcode: 0, errmsg: 'ok' };

/**
 * The DingTalk answer for each hookmux error, so that DingTalk SDKs, which read `errcode`, work
 * unchanged. Codes and wording follow robots.md §2.3/§2.5 (legacy English wording where DingTalk
 * had one). Two choices of ours, documented in README.md: a body over `server.bodyLimit` is
 * `460101 message too long` and bad JSON is `40035 缺少参数 json`.
 */
export function toDingTalkAnswer(error: HookmuxError): DingTalkAnswer {
  const known = answers[error.code as HookmuxErrorCode];
  if (known !== undefined) return known(error);
  // Server-side trouble (storage down): DingTalk's "system busy", which SDKs retry.
  return error.expose
    ? { errcode: 400402, errmsg: `错误描述:${error.message}` }
    : { errcode: -1, errmsg: '系统繁忙' };
}

const answers: Partial<Record<HookmuxErrorCode, (error: HookmuxError) => DingTalkAnswer>> = {
  HM_ERR_SRC_SIGNATURE: () => ({ errcode: 310000, errmsg: 'sign not match' }),
  HM_ERR_SRC_STALE_TIMESTAMP: () => ({ errcode: 310000, errmsg: 'invalid timestamp' }),
  HM_ERR_SRC_KEYWORD: () => ({ errcode: 310000, errmsg: 'keywords not in content' }),
  HM_ERR_HTTP_FORBIDDEN_IP: (error) => ({
    errcode: 310000,
    errmsg: `ip ${readClientIp(error.message)} not in whitelist`,
  }),
  HM_ERR_SRC_UNKNOWN_ROBOT: () => ({ errcode: 300005, errmsg: 'token is not exist' }),
  HM_ERR_SRC_NO_TOKEN: () => ({ errcode: 40035, errmsg: '缺少参数 access_token' }),
  HM_ERR_HTTP_BAD_JSON: () => ({ errcode: 40035, errmsg: '缺少参数 json' }),
  HM_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: () => ({ errcode: 43004, errmsg: '无效的HTTP HEADER Content-Type' }),
  HM_ERR_HTTP_BODY_TOO_LARGE: () => ({ errcode: 460101, errmsg: 'message too long' }),
  HM_ERR_SRC_UNSUPPORTED_MESSAGE: () => ({ errcode: 400105, errmsg: '不支持的消息类型' }),
  HM_ERR_SRC_MALFORMED: (error) => ({
    errcode: 400402,
    errmsg: `错误描述:参数 ${error.at ?? 'msgtype'} 缺失，或者参数格式不正确; 解决方案:请填充上对应参数;`,
  }),
};

/**
 * HTTP 200 with the code in the body, like DingTalk, for every refusal. A failure on our side
 * (5xx: the event was NOT queued) keeps its 5xx status as well, so that clients that only look at
 * the status (Apprise) do not count a lost message as sent.
 */
export function replyDingTalkError(error: HookmuxError): HttpReply {
  return { status: error.expose ? 200 : error.status, body: toDingTalkAnswer(error) };
}

function readClientIp(message: string): string {
  return /client address (\S+) is not allowed/.exec(message)?.[1] ?? 'unknown';
}
