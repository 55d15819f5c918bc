/**
 * The kit code-host sources build on: the cross-host event data shape (what templates, digests and
 * the people map read), null-safe JSON readers, body guards and settings. GitHub, GitLab and Gitea
 * share it; a third-party source for another host can too.
 */
export * from './body-guards.js';
export * from './build-host-push.js';
export * from './code-host-source.js';
export * from './hook-data.js';
export * from './json-reader.js';
export * from './people.js';
export * from './read-host-settings.js';
export * from './to-host-commit.js';
export * from './to-host-event.js';
