import type { ErrorObject } from 'ajv/dist/2020.js';

import { HookmuxError } from '../errors/hookmux-error.js';
import { formatKeyPath, isPlainRecord, parseInstancePath, type KeySegment } from './format-key-path.js';

/**
 * Turns ajv's errors into one `HM_ERR_CFG_INVALID` per problem, each at its key path
 * (`routes[1].when.evnt`) and saying what was expected in plain words. Messages name keys and
 * the schema's expectations, never the data: a value that failed may be a secret.
 * `base` prefixes the paths when `data` is one section (`['sinks', 'team-a']`).
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  data: unknown,
  base: readonly KeySegment[] = [],
): HookmuxError[] {
  const combinators = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map((e) => e.schemaPath);
  const seen = new Set<string>();
  const out: HookmuxError[] = [];
  for (const error of errors) {
    // A failed anyOf/oneOf reports each branch too; the combinator's own error says it once.
    if (combinators.some((p) => error.schemaPath.startsWith(`${p}/`))) continue;
    const described = describeOne(error, [...base, ...parseInstancePath(error.instancePath, data)]);
    if (described === undefined) continue;
    const at = formatKeyPath(described.path);
    const key = `${at}\n${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      new HookmuxError('HM_ERR_CFG_INVALID', described.message, { at, ...optionalHint(described.hint) }),
    );
  }
  return out;
}

interface Described {
  readonly path: KeySegment[];
  readonly message: string;
  readonly hint?: string;
}

function describeOne(error: ErrorObject, path: KeySegment[]): Described | undefined {
  const params = error.params as Record<string, unknown>;
  const schema = isPlainRecord(error.parentSchema) ? error.parentSchema : {};
  if (error.propertyName !== undefined) {
    // The key itself failed `propertyNames`: the problem is at that key, not inside its value.
    return {
      path: [...path, error.propertyName],
      message: `is not a valid key: ${expectation(error, schema)}`,
    };
  }
  switch (error.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined;
    case 'required':
      return { path: [...path, String(params['missingProperty'])], message: 'is required' };
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = isPlainRecord(schema['properties']) ? Object.keys(schema['properties']) : [];
      const guess = suggest(key, known);
      return {
        path: [...path, key],
        message: known.length === 0 ? 'unknown key' : `unknown key (expected one of ${known.join(', ')})`,
        ...(guess === undefined ? {} : { hint: `did you mean ${guess}?` }),
      };
    }
    case 'enum':
      return {
        path,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map(show).join(', ')}`,
      };
    case 'const':
      return { path, message: `must be ${show(params['allowedValue'])}` };
    case 'anyOf':
    case 'oneOf':
      return { path, message: describeAlternatives(error.keyword, error.schema) };
    case 'not':
      return { path, message: 'is not allowed here' };
    case 'dependentRequired':
      return {
        path: [...path, String(params['missingProperty'])],
        message: `is required when ${String(params['property'])} is set`,
      };
    case 'uniqueItems':
      return {
        path,
        message: `must not list the same entry twice (entries ${String(params['j'])} and ${String(params['i'])})`,
      };
    case 'minItems':
      return {
        path,
        message:
          params['limit'] === 1
            ? 'must not be empty'
            : `must have at least ${String(params['limit'])} entries`,
      };
    case 'maxItems':
      return { path, message: `must have at most ${String(params['limit'])} entries` };
    case 'minProperties':
      return {
        path,
        message:
          params['limit'] === 1 ? 'must not be empty' : `must have at least ${String(params['limit'])} keys`,
      };
    case 'maxProperties':
      return { path, message: `must have at most ${String(params['limit'])} keys` };
    default:
      return { path, message: expectation(error, schema) };
  }
}

/** The sentence for type, range, length, pattern and format errors: `must be …`. */
function expectation(error: ErrorObject, schema: Record<string, unknown>): string {
  const params = error.params as Record<string, unknown>;
  const custom = schema['x-expected'];
  if (
    typeof custom === 'string' &&
    ['type', 'pattern', 'minimum', 'maximum', 'format'].includes(error.keyword)
  ) {
    return `must be ${custom}`;
  }
  switch (error.keyword) {
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return `must be ${describeType(schema)}`;
    case 'minLength':
      return params['limit'] === 1
        ? 'must not be empty'
        : `must be at least ${String(params['limit'])} characters long`;
    case 'maxLength':
      return `must be at most ${String(params['limit'])} characters long`;
    case 'pattern':
      return `must match the pattern ${String(params['pattern'])}`;
    case 'format':
      return `must be a valid ${String(params['format'])}`;
    default:
      return error.message ?? 'is invalid';
  }
}

const typeWords: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of keys to values',
  null: 'empty',
};

function describeType(schema: Record<string, unknown>): string {
  const raw = schema['type'];
  const types = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.map(String) : [];
  const words = types.map((t) => typeWords[t] ?? t);
  let text = words.length === 0 ? 'a valid value' : words.join(' or ');
  const min = numeric(schema['minimum']);
  const max = numeric(schema['maximum']);
  const exclusiveMin = numeric(schema['exclusiveMinimum']);
  const exclusiveMax = numeric(schema['exclusiveMaximum']);
  if (min !== undefined && max !== undefined) text += ` from ${min} to ${max}`;
  else if (min !== undefined) text += ` of at least ${min}`;
  else if (max !== undefined) text += ` of at most ${max}`;
  if (exclusiveMin !== undefined) text += ` greater than ${exclusiveMin}`;
  if (exclusiveMax !== undefined) text += ` less than ${exclusiveMax}`;
  const multiple = numeric(schema['multipleOf']);
  if (multiple !== undefined) text += ` (a multiple of ${multiple})`;
  return text;
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * A failed `anyOf`/`oneOf` in words: `must set exactly one of webhook or key` when the branches
 * are about which keys are present, else the branches' own descriptions or types joined by "or".
 */
function describeAlternatives(keyword: string, branches: unknown): string {
  const list = Array.isArray(branches) ? branches.filter(isPlainRecord) : [];
  const required = list.map((b) => (Array.isArray(b['required']) ? b['required'].map(String) : undefined));
  if (list.length > 0 && required.every((r) => r !== undefined && r.length > 0)) {
    const options = required.map((r) => (r ?? []).join(' and ')).join(' or ');
    return keyword === 'oneOf' ? `must set exactly one of ${options}` : `must set ${options}`;
  }
  const forms = list.map((b) => {
    const custom = b['x-expected'] ?? b['description'];
    return typeof custom === 'string' ? custom : describeType(b);
  });
  return forms.length === 0 ? 'must match one of the allowed forms' : `must be ${forms.join(' or ')}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function optionalHint(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

/** The known key closest to a misspelt one, if it is close enough to be a typo. */
function suggest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 100) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
