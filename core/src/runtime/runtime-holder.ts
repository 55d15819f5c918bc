import type { ResolvedSink, SinkDirectory } from '../contracts/sink-directory.js';
import type { Person } from '../contracts/sink.js';
import type { Runtime } from './runtime.js';

/**
 * Holds the runtime in force. Everything that depends on the config reads it through here, so a
 * reload is one assignment; it is also the `SinkDirectory` the queue resolves sink names with.
 */
export class RuntimeHolder implements SinkDirectory {
  #runtime: Runtime;
  readonly #listeners: Array<(runtime: Runtime) => void> = [];

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  get current(): Runtime {
    return this.#runtime;
  }

  swap(runtime: Runtime): void {
    this.#runtime = runtime;
    for (const listener of this.#listeners) listener(runtime);
  }

  onSwap(listener: (runtime: Runtime) => void): void {
    this.#listeners.push(listener);
  }

  resolve(name: string): ResolvedSink | undefined {
    return this.#runtime.sinks.get(name);
  }

  names(): readonly string[] {
    return [...this.#runtime.sinks.keys()];
  }

  people(): readonly Person[] {
    return this.#runtime.config.people;
  }
}
