/**
 * `@hookmux/core/internal`: the plugin API plus core's own machinery, for hookmux's CLI, app
 * and tests. Not for plugins: nothing here is promised to stay the same between versions.
 */
export * from './index.js';

export * from './logging/create-logger.js';
export * from './config/load-config.js';
export * from './config/check-routes.js';
export * from './config/did-you-mean.js';
export * from './create-hookmux.js';
export * from './compose-hookmux.js';
export * from './runtime/build-runtime.js';
export * from './runtime/intake.js';
export * from './runtime/recent-events.js';
export * from './runtime/config-reloader.js';
export * from './routing/compile-routes.js';
export * from './templates/template-set.js';
export * from './templates/message-renderer.js';
export * from './plugins/load-plugins.js';
export * from './plugins/plugin-manifest.js';
export * from './delivery/sqlite-queue.js';
export * from './delivery/sqlite-storage.js';
export * from './delivery/dispatcher.js';
export * from './delivery/send-renderer.js';
export * from './admin/create-admin-router.js';
export * from './metrics/create-metrics.js';
