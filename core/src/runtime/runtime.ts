import type { HookmuxConfig } from '../config/hookmux-config.js';
import type { ResolvedSink } from '../contracts/sink-directory.js';
import type { Source } from '../contracts/source.js';
import type { CompiledRoute } from '../routing/compile-routes.js';
import type { MessageRenderer } from '../templates/message-renderer.js';

/** A mounted source and its validated config section. */
export interface ActiveSource {
  readonly source: Source;
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * Everything derived from one config: compiled routes, compiled templates, resolved sinks and
 * sources. Built and checked as a whole before it is put in force, so a reload swaps it atomically.
 */
export interface Runtime {
  readonly config: HookmuxConfig;
  readonly routes: readonly CompiledRoute[];
  readonly renderer: MessageRenderer;
  readonly sinks: ReadonlyMap<string, ResolvedSink>;
  readonly sources: ReadonlyMap<string, ActiveSource>;
  /** Secret values in force, masked in every log line. */
  readonly secrets: readonly string[];
  /** Problems worth a start-up warning that do not stop the server. */
  readonly warnings: readonly string[];
}
