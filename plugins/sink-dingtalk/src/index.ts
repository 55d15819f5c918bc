import { ContainerModule, Sink } from '@hookmux/core';

import { DingTalkSink } from './dingtalk-sink.js';

export {
  buildDingTalkBody,
  byteLength,
  cutBytes,
  dingTalkLimits,
  toDingTalkMarkdown,
  toDingTalkPlain,
  type BuildDingTalkBodyOptions,
  type DingTalkAt,
  type DingTalkBody,
  type DingTalkButtonBody,
  type DingTalkFeedLink,
} from './build-dingtalk-body.js';
export {
  classifyDingTalkAnswer,
  dingTalkPenaltyWaitMs,
  dingTalkThrottleWaitMs,
  permanentDingTalkCodes,
} from './classify-dingtalk-answer.js';
export {
  defaultDingTalkApiBase,
  dingTalkFormats,
  dingTalkSinkConfigSchema,
  readDingTalkFormat,
  resolveDingTalkSinkSettings,
  type DingTalkFormat,
  type DingTalkSinkSettings,
} from './dingtalk-sink-settings.js';
export { signDingTalkUrl } from './sign-dingtalk-url.js';
export { DingTalkSink } from './dingtalk-sink.js';

/** The plugin: one `DingTalkSink`, contributed as a `Sink`. */
export default new ContainerModule(({ bind }) => {
  bind(DingTalkSink).toSelf().inSingletonScope();
  bind(Sink).toService(DingTalkSink);
});
