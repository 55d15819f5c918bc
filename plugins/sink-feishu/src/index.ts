import { ContainerModule, Sink } from '@hookmux/core';

import { FeishuSink } from './feishu-sink.js';

export { FeishuSink } from './feishu-sink.js';
export {
  buildFeishuBody,
  feishuBodyBudgetBytes,
  truncationMarker,
  type BuildFeishuBodyOptions,
  type FeishuBody,
  type FeishuCardBody,
  type FeishuPostBody,
  type FeishuTextBody,
} from './build-feishu-body.js';
export { toFeishuPostParagraphs, toLarkMarkdown, type FeishuPostElement } from './convert-wecom-markdown.js';
export {
  classifyFeishuAnswer,
  feishuThrottleWaitMs,
  permanentFeishuCodes,
} from './classify-feishu-answer.js';
export { formatFeishuMention } from './format-feishu-mention.js';
export { signFeishuRequest } from './sign-feishu-request.js';
export {
  feishuFormats,
  feishuSinkConfigSchema,
  resolveFeishuSinkSettings,
  type FeishuFormat,
  type FeishuSinkSettings,
} from './feishu-sink-settings.js';

/** The plugin: one `FeishuSink`, contributed as a `Sink`. */
export default new ContainerModule(({ bind }) => {
  bind(FeishuSink).toSelf().inSingletonScope();
  bind(Sink).toService(FeishuSink);
});
