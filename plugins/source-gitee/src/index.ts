import { ContainerModule, Source } from '@hookmux/core';

import { GiteeSource } from './gitee-source.js';
import { MemoryReplayCache } from './memory-replay-cache.js';
import { ReplayCache } from './replay-cache.js';

export { GiteeSource } from './gitee-source.js';
export { giteeSamples } from './gitee-samples.js';
export {
  giteeEventNames,
  giteeHookKinds,
  isGiteeEventName,
  type GiteeEventName,
  type GiteeHookType,
} from './gitee-event-names.js';
export {
  readGiteeCredentials,
  signGiteeTimestamp,
  verifyGiteeToken,
  type GiteeAuthMode,
  type GiteeCredentials,
  type VerifyGiteeTokenOptions,
} from './verify-gitee-token.js';
export { redactGiteePayload, type RedactOptions } from './redact-gitee-payload.js';
export { deriveGiteeEventId } from './derive-gitee-event-id.js';
export { normalizeGiteeEventHeader, resolveGiteeHookType } from './resolve-gitee-hook-type.js';
export { giteeConfigSchema, readGiteeSettings, type GiteeSettings } from './read-gitee-settings.js';
export { ReplayCache } from './replay-cache.js';
export { MemoryReplayCache } from './memory-replay-cache.js';
export type * from './normalize/gitee-hook-data.js';

/** The plugin: the Gitee source, and an in-memory replay cache a host may rebind (Redis). */
export default new ContainerModule(({ bind }) => {
  bind(ReplayCache).to(MemoryReplayCache).inSingletonScope();
  bind(GiteeSource).toSelf().inSingletonScope();
  bind(Source).toService(GiteeSource);
});
