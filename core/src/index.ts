/**
 * The plugin API of @hookmux/core: what a source, sink or queue plugin may use. Everything here
 * is kept stable across minor versions (a plugin's `"core": "^0.1.0"` relies on it). The rest of
 * core (config loading, the runtime, the CLI, admin, the SQLite queue) is
 * `@hookmux/core/internal`, for hookmux's own packages and tests only.
 */

// Dependency injection: plugins default-export a ContainerModule and bind to core's symbols.
export * from './shared/inversify.js';

// Errors: core's codes, HookmuxError, and a plugin's own codes (defineErrorCodes).
export * from './errors/error-codes.js';
export * from './errors/hookmux-error.js';

// Contracts a plugin implements or receives.
export * from './contracts/hook-event.js';
export * from './contracts/message.js';
export * from './contracts/source.js';
export * from './contracts/sink.js';
export * from './contracts/sink-directory.js';
export * from './contracts/queue.js';
export * from './contracts/queue-provider.js';
export * from './contracts/delivery-store.js';
export * from './contracts/delivery-storage.js';
export * from './contracts/delivery-observer.js';

// Config: JSON Schema for a plugin's section, and the config types it is handed.
export * from './config/json-schema.js';
export type * from './config/hookmux-config.js';
export type { PluginManifest } from './plugins/plugin-manifest.js';

// Logging: the logger plugins get, and an in-memory one for their tests.
export * from './logging/logger.js';
export * from './logging/memory-logger.js';

// Core services a plugin's classes may @inject (bound before plugin modules load).
export { RuntimeHolder } from './runtime/runtime-holder.js';
export type { ActiveSource, Runtime } from './runtime/runtime.js';

// Helpers a sink needs (the sink kit: settings, masking, posting to a robot, classifying its
// answer, Retry-After) and a queue needs (backoff, windows, digests).
export * from './sinks/index.js';

// Escaping by dialect (issue 13): what templates print is text; sources and sinks use these to keep
// payload text from becoming markup, and to link only to http(s).
export * from './templates/escape-for-dialect.js';
export * from './http/post-to-robot.js';
export * from './http/retry-after.js';
export * from './http/classify-errcode-answer.js';
export { computeBackoffMs } from './delivery/compute-backoff-ms.js';
export { capacityPerWindow } from './delivery/sliding-window-limiter.js';
export * from './delivery/build-digest.js';
// How an outbox keeps an event (deflated JSON), so every backend stores and reads the same form.
export {
  decodeStoredEvent,
  defineStoredEvent,
  encodeStoredEvent,
  type StoredEventBody,
} from './delivery/stored-event.js';

// The code-host kit (cross-host event data, JSON readers, guards) that code-host sources share.
export * from './code-host/index.js';
