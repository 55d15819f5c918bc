import type { JsonSchema } from './json-schema.js';
import { isPlainRecord, type KeySegment } from './format-key-path.js';
import { isWholeInterpolation } from './interpolate-env.js';

/**
 * Turns `${VAR}`-only scalars into numbers or booleans where the schema wants one and accepts no
 * string (`port: ${PORT:-8080}`), in place. Walks `properties`, `patternProperties`,
 * `additionalProperties`, `items`, local `$ref`s and the branches of `allOf`/`anyOf`/`oneOf`;
 * anything it cannot follow is left alone for the validator to report.
 */
export function coerceInterpolated(data: unknown, schema: JsonSchema, root: JsonSchema = schema): void {
  walk(data, schema, root, 0);
}

function walk(data: unknown, schema: JsonSchema, root: JsonSchema, depth: number): void {
  if (depth > 64) return;
  if (Array.isArray(data)) {
    data.forEach((item, index) => {
      const child = childSchemas(schema, root, index);
      coerceAt(data, index, item, child, root);
      for (const sub of child) walk(data[index], sub, root, depth + 1);
    });
  } else if (isPlainRecord(data)) {
    for (const key of Object.keys(data)) {
      const child = childSchemas(schema, root, key);
      coerceAt(data, key, data[key], child, root);
      for (const sub of child) walk(data[key], sub, root, depth + 1);
    }
  }
}

function coerceAt(
  container: unknown[] | Record<string, unknown>,
  key: KeySegment,
  value: unknown,
  schemas: JsonSchema[],
  root: JsonSchema,
): void {
  if (typeof value !== 'string' || schemas.length === 0 || !isWholeInterpolation(container, key)) return;
  const wanted = new Set(schemas.flatMap((s) => wantedTypes(s, root, 0)));
  if (wanted.size === 0 || wanted.has('string')) return;
  let coerced: unknown = value;
  if ((wanted.has('integer') || wanted.has('number')) && /^\s*-?\d+(\.\d+)?\s*$/.test(value))
    coerced = Number(value);
  else if (wanted.has('boolean') && (value === 'true' || value === 'false')) coerced = value === 'true';
  (container as Record<KeySegment, unknown>)[key] = coerced;
}

/** The schemas that apply to `data[key]`, following refs and combinators. */
function childSchemas(schema: JsonSchema, root: JsonSchema, key: KeySegment): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const s of expand(schema, root, 0)) {
    if (typeof key === 'number') {
      if (isPlainRecord(s['items'])) out.push(s['items']);
      continue;
    }
    const properties = s['properties'];
    if (isPlainRecord(properties) && Object.hasOwn(properties, key) && isPlainRecord(properties[key])) {
      out.push(properties[key]);
      continue;
    }
    let matched = false;
    const patterns = s['patternProperties'];
    if (isPlainRecord(patterns)) {
      for (const [pattern, sub] of Object.entries(patterns)) {
        if (isPlainRecord(sub) && safeTest(pattern, key)) {
          out.push(sub);
          matched = true;
        }
      }
    }
    if (!matched && isPlainRecord(s['additionalProperties'])) out.push(s['additionalProperties']);
  }
  return out;
}

/** The schema itself, what its `$ref` points at, and its `allOf`/`anyOf`/`oneOf` branches. */
function expand(schema: JsonSchema, root: JsonSchema, depth: number): JsonSchema[] {
  if (depth > 16) return [];
  const out: JsonSchema[] = [schema];
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = resolveLocalRef(ref, root);
    if (target !== undefined) out.push(...expand(target, root, depth + 1));
  }
  for (const combinator of ['allOf', 'anyOf', 'oneOf']) {
    const branches = schema[combinator];
    if (Array.isArray(branches)) {
      for (const branch of branches) if (isPlainRecord(branch)) out.push(...expand(branch, root, depth + 1));
    }
  }
  return out;
}

function wantedTypes(schema: JsonSchema, root: JsonSchema, depth: number): string[] {
  return expand(schema, root, depth).flatMap((s) => {
    const type = s['type'];
    if (typeof type === 'string') return [type];
    if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
    const values = Array.isArray(s['enum']) ? s['enum'] : 'const' in s ? [s['const']] : [];
    return values.map((v) => (typeof v === 'number' ? 'number' : typeof v));
  });
}

function resolveLocalRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isPlainRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return isPlainRecord(node) ? node : undefined;
}

function safeTest(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return false;
  }
}
