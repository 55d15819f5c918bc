import { ContainerModule, Source } from '@hookmux/core';

import { FeishuSource } from './feishu-source.js';

export { FeishuSource, feishuMaxBodyBytes } from './feishu-source.js';
export {
  feishuHookPath,
  feishuSourceConfigSchema,
  readFeishuSourceSettings,
  type FeishuRobotSettings,
  type FeishuSourceSettings,
} from './feishu-source-settings.js';
export {
  signFeishuTimestamp,
  verifyFeishuSignature,
  type VerifyFeishuSignatureOptions,
} from './verify-feishu-signature.js';
export { feishuErrorBodies, feishuSuccessBody, toFeishuReply } from './to-feishu-reply.js';
export { normalizeFeishuMessage } from './normalize-feishu-message.js';
export { convertLarkMarkdown, splitFeishuMentions, stripLarkMarkdown } from './convert-lark-markdown.js';
export { collectFeishuKeywordText, hasFeishuKeyword } from './collect-feishu-keyword-text.js';
export { deriveFeishuEventId } from './derive-feishu-event-id.js';
export type * from './feishu-message-data.js';
export { feishuMsgTypes } from './feishu-message-data.js';

/** The plugin: the Feishu-bot-compatible inbound endpoint, contributed as a `Source`. */
export default new ContainerModule(({ bind }) => {
  bind(FeishuSource).toSelf().inSingletonScope();
  bind(Source).toService(FeishuSource);
});
