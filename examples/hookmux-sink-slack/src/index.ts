import { ContainerModule, Sink } from '@hookmux/core';

import { SlackSink } from './slack-sink.js';

export { SlackSink };
export { classifySlackAnswer, escapeSlackText } from './slack-sink.js';

/** hookmux imports the package's default export and loads it into its container. */
export default new ContainerModule(({ bind }) => {
  bind(SlackSink).toSelf().inSingletonScope();
  bind(Sink).toService(SlackSink);
});
