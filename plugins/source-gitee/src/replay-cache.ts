/** Service identifier of the replay cache the Gitee source uses; rebind it for a shared one. */
export const ReplayCache = Symbol.for('@hookmux/source-gitee/ReplayCache');

/**
 * Remembers used `(timestamp, token)` pairs until they expire. Gitee's signature covers only the
 * timestamp and the secret, not the body, so a captured pair could be replayed with any body for
 * the whole window; this is what refuses the second use. One process keeps it in memory; N
 * instances need a shared store (Redis `SET NX PX`), which is why it sits behind this interface.
 */
export interface ReplayCache {
  /** Records `key` until `expiresAt` (epoch ms); false when it was already recorded and unexpired. */
  remember(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}
