/**
 * Gitee's issue `state_change` carries only the new state. The last state this process saw for
 * each issue lets templates say "open → progressing" when it is known; after a restart, or for
 * an issue seen for the first time, `previousState` is simply absent. Bounded, oldest first out.
 */
export class IssueStateMemory {
  readonly #states = new Map<string, string>();

  constructor(private readonly maxIssues = 10_000) {}

  /** Returns the state remembered before, and remembers `state` (when known) for next time. */
  recall(repo: string, number: string, state: string | undefined): string | undefined {
    const key = `${repo}#${number}`;
    const previous = this.#states.get(key);
    if (state !== undefined) {
      this.#states.delete(key);
      this.#states.set(key, state);
      if (this.#states.size > this.maxIssues) {
        const oldest = this.#states.keys().next();
        if (oldest.done !== true) this.#states.delete(oldest.value);
      }
    }
    return previous;
  }
}
