import { ContainerModule, Sink } from '@hookmux/core';

import { ConsoleSink } from './console-sink.js';

export { ConsoleSink };

export default new ContainerModule(({ bind }) => {
  bind(ConsoleSink).toSelf().inSingletonScope();
  bind(Sink).toService(ConsoleSink);
});
