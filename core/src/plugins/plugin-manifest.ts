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
 * Whether `version` is in `range`. Plugins declare caret or exact ranges (`^0.1.0`, `0.1.0`,
 * `>=0.1.0`), which is all this checks; anything else is accepted with no check.
 */
export function satisfiesCoreRange(version: string, range: string): boolean {
  const parse = (v: string): number[] =>
    v
      .replace(/^[^\d]*/, '')
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [ma = 0, mi = 0, pa = 0] = parse(version);
  const [rma = 0, rmi = 0, rpa = 0] = parse(range);
  const cmp = ma - rma || mi - rmi || pa - rpa;
  if (range.startsWith('>=')) return cmp >= 0;
  if (range.startsWith('^')) {
    if (cmp < 0) return false;
    // ^0.x pins the minor; ^1.x pins the major (npm semantics).
    return rma === 0 ? ma === 0 && mi === rmi : ma === rma;
  }
  if (/^\d/.test(range)) return cmp === 0;
  return true;
}
