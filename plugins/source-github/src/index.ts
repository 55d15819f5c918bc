import { ContainerModule, Source } from '@hookmux/core';

import { GitHubSource } from './github-source.js';

export { GitHubSource, defaultGitHubPath } from './github-source.js';
export { gitHubEventNames, gitHubEvents, isGitHubEvent, type GitHubEvent } from './github-event-names.js';
export { signGitHubBody, verifyGitHubSignature } from './verify-github-signature.js';
export { gitHubSamples } from './github-samples.js';

/** The plugin: the GitHub source. */
export default new ContainerModule(({ bind }) => {
  bind(GitHubSource).toSelf().inSingletonScope();
  bind(Source).toService(GitHubSource);
});
