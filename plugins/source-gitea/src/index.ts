import { ContainerModule, Source } from '@hookmux/core';

import { GiteaSource } from './gitea-source.js';

export { GiteaSource, defaultGiteaPath } from './gitea-source.js';
export { giteaEventNames, giteaEvents, isGiteaEvent, type GiteaEvent } from './gitea-event-names.js';
export { readGiteaSignature, signGiteaBody, verifyGiteaSignature } from './verify-gitea-signature.js';
export { giteaSamples } from './gitea-samples.js';

/** The plugin: the Gitea source (also Forgejo and Gogs). */
export default new ContainerModule(({ bind }) => {
  bind(GiteaSource).toSelf().inSingletonScope();
  bind(Source).toService(GiteaSource);
});
