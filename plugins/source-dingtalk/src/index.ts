import { ContainerModule, Source } from '@hookmux/core';

import { DingTalkSource } from './dingtalk-source.js';

export { DingTalkSource } from './dingtalk-source.js';
export {
  dingTalkOk,
  replyDingTalkError,
  toDingTalkAnswer,
  type DingTalkAnswer,
} from './answer-dingtalk-error.js';
export {
  buildDingTalkMessageData,
  summarizeDingTalkMessage,
  toPlainText,
  toWeComMarkdown,
  type DingTalkMention,
  type DingTalkMessageData,
} from './build-dingtalk-message-data.js';
export {
  deriveDingTalkEventId,
  dingTalkDedupWindowMs,
  type DingTalkEventIdInput,
} from './derive-dingtalk-event-id.js';
export {
  defaultDingTalkPath,
  dingTalkConfigSchema,
  readDingTalkSettings,
  type DingTalkRobotSettings,
  type DingTalkSettings,
} from './read-dingtalk-settings.js';
export {
  dingTalkMsgtypes,
  parseDingTalkBody,
  readDingTalkMessage,
  unwrapDingTalkLink,
  type DingTalkButton,
  type DingTalkLink,
  type DingTalkMessage,
  type DingTalkMsgtype,
} from './read-dingtalk-message.js';
export {
  dingTalkTimestampWindowMs,
  signDingTalkTimestamp,
  verifyDingTalkSignature,
  type DingTalkSignatureInput,
  type VerifyDingTalkSignatureOptions,
} from './verify-dingtalk-signature.js';

/** The plugin: the DingTalk-robot-compatible source, contributed as a `Source`. */
export default new ContainerModule(({ bind }) => {
  bind(DingTalkSource).toSelf().inSingletonScope();
  bind(Source).toService(DingTalkSource);
});
