import semver from 'semver';

/** The `"hookmux"` field of a plugin's package.json. */
export interface PluginManifest {
  readonly kind: 'source' | 'sink' | 'queue';
  /** Source id, sink type or storage type the plugin provides. */
  readonly id: string;
  /** Range of @hookmux/core versions it works with (`^0.1.0`). */
  readonly core?: string;
  /**
   * A folder of templates inside the package (`"templates"`), laid out like the built-in one
   * (`<source>/<type>.<action>.<format>.hbs`). Searched after the user's folders and before
   * core's built-ins, so a source plugin ships its own messages.
   */
  readonly templates?: string;
}

export function isPluginManifest(value: unknown): value is PluginManifest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v['kind'] === 'source' || v['kind'] === 'sink' || v['kind'] === 'queue') &&
    typeof v['id'] === 'string' &&
    /^[a-z][a-z0-9-]*$/.test(v['id']) &&
    (v['core'] === undefined || typeof v['core'] === 'string') &&
    (v['templates'] === undefined || typeof v['templates'] === 'string')
  );
}

/**
 * Whether `version` is in `range`, with npm's semantics (`^0.1.0`, `~0.1.2`, `>=0.1 <0.3`,
 * `^0.1 || ^1`); a pre-release core (`0.2.0-rc.1`) is compared too instead of always refused.
 * A range semver cannot read is refused: a plugin must say what it works with.
 */
export function satisfiesCoreRange(version: string, range: string): boolean {
  if (semver.validRange(range) === null) return false;
  return semver.satisfies(version, range, { includePrerelease: true });
}
