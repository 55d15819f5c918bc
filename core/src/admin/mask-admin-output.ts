import { maskSecrets } from '../config/collect-secrets.js';

/**
 * Every string in an API answer with the secrets in force masked. Sinks and sources already
 * keep secrets out of what they store; this is the last guard before anything leaves the
 * process, for a robot answer or a payload field nobody thought of (DESIGN.md §9).
 */
export function maskAdminOutput<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return maskValue(value, secrets) as T;
}

function maskValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return maskSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [maskSecrets(k, secrets), maskValue(v, secrets)]),
    );
  }
  return value;
}
