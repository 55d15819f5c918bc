import { ContainerModule } from '@hookmux/core';

/** Placeholder while the plugin is being written: loads, provides nothing. */
export default new ContainerModule(() => undefined);
