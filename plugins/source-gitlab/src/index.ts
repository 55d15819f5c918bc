import { ContainerModule, Source } from '@hookmux/core';

import { GitLabSource } from './gitlab-source.js';

export { GitLabSource, defaultGitLabPath } from './gitlab-source.js';
export { gitLabEventNames, gitLabHookTypes, gitLabObjectKinds } from './gitlab-event-names.js';
export { verifyGitLabToken } from './verify-gitlab-token.js';
export { gitLabSamples } from './gitlab-samples.js';

/** The plugin: the GitLab source (gitlab.com and self-managed). */
export default new ContainerModule(({ bind }) => {
  bind(GitLabSource).toSelf().inSingletonScope();
  bind(Source).toService(GitLabSource);
});
