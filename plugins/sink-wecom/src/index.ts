import { ContainerModule, Sink } from '@hookmux/core';

import { WeComSink } from './wecom-sink.js';

export { buildWeComBody, stripMarkdown, weComLimits } from './build-wecom-body.js';
export type { BuildWeComBodyOptions, WeComArticle, WeComBody } from './build-wecom-body.js';
export { classifyWeComAnswer, permanentWeComCodes, weComThrottleWaitMs } from './classify-wecom-answer.js';
export { formatWeComMention } from './format-wecom-mention.js';
export { byteLength, truncateUtf8Markdown, truncationMarker } from './truncate-utf8-markdown.js';
export type { TruncateOptions } from './truncate-utf8-markdown.js';
export { weComConfigSchema } from './wecom-config-schema.js';
export { resolveWeComSettings, weComFormats } from './wecom-settings.js';
export type { WeComFormat, WeComSettings } from './wecom-settings.js';
export { WeComSink } from './wecom-sink.js';
/** Moved to core's sink kit; re-exported for plugins that imported it from here. */
export { hashRobotUrl } from '@hookmux/core';

/** The plugin: one `WeComSink`, contributed as a `Sink`. */
export default new ContainerModule(({ bind }) => {
  bind(WeComSink).toSelf().inSingletonScope();
  bind(Sink).toService(WeComSink);
});
