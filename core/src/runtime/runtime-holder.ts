import type { ResolvedSink, SinkDirectory } from '../contracts/sink-directory.js';
import type { Person } from '../contracts/sink.js';
import type { Runtime } from './runtime.js';

/**
 * Holds the runtime in force. Everything that depends on the config reads it through here, so a
 * reload is one assignment; it is also the `SinkDirectory` the queue resolves sink names with.
 * It exists before the first runtime (plugins may inject it while the container is composed);
 * until `swap` gives it one, it names no sinks and `current` throws.
 */
export class RuntimeHolder implements SinkDirectory {
  #runtime: Runtime | undefined;
  readonly #listeners: Array<(runtime: Runtime) => void> = [];

  constructor(runtime?: Runtime) {
    this.#runtime = runtime;
  }

  get current(): Runtime {
    if (this.#runtime === undefined)
      throw new Error('no config in force yet: read the runtime when sending, not while plugins load');
    return this.#runtime;
  }

  /** Whether a runtime is in force (false only while hookmux is being composed). */
  get ready(): boolean {
    return this.#runtime !== undefined;
  }

  swap(runtime: Runtime): void {
    this.#runtime = runtime;
    for (const listener of this.#listeners) listener(runtime);
  }

  onSwap(listener: (runtime: Runtime) => void): void {
    this.#listeners.push(listener);
  }

  resolve(name: string): ResolvedSink | undefined {
    return this.#runtime?.sinks.get(name);
  }

  names(): readonly string[] {
    return [...(this.#runtime?.sinks.keys() ?? [])];
  }

  people(): readonly Person[] {
    return this.#runtime?.config.people ?? [];
  }
}
