import { HookmuxError } from '../errors/hookmux-error.js';
import { formatKeyPath, isPlainRecord, type KeySegment } from './format-key-path.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Scalars that were exactly one `${...}`, by the map or list holding them. Only these may turn
 * into a number or boolean when a schema asks for one: `port: ${PORT:-8080}` means a port, while
 * a quoted `"8080"` written by hand stays the string the user typed.
 */
const wholeInterpolations = new WeakMap<object, Set<KeySegment>>();

export function isWholeInterpolation(container: object, key: KeySegment): boolean {
  return wholeInterpolations.get(container)?.has(key) ?? false;
}

const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
const wholeReference = /^\$\{[^}]*\}$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string scalar of a parsed YAML tree, in
 * place. Working on the parsed tree, not the text, means an error knows its key path and a
 * value full of YAML syntax (a password with `: #`) cannot change the document's shape. `$${`
 * is a literal `${`. As in the shell, `:-` also replaces a variable that is set but empty.
 * Returns one error per problem; the value is left empty so checking can go on.
 */
export function interpolateEnv(tree: unknown, env: Env): HookmuxError[] {
  const errors: HookmuxError[] = [];
  visit(tree, [], env, errors);
  return errors;
}

function visit(node: unknown, path: KeySegment[], env: Env, errors: HookmuxError[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      if (typeof item === 'string')
        node[index] = substitute(node, index, item, [...path, index], env, errors);
      else visit(item, [...path, index], env, errors);
    });
  } else if (isPlainRecord(node)) {
    for (const key of Object.keys(node)) {
      const item = node[key];
      if (typeof item === 'string') node[key] = substitute(node, key, item, [...path, key], env, errors);
      else visit(item, [...path, key], env, errors);
    }
  }
}

function substitute(
  container: object,
  key: KeySegment,
  text: string,
  path: KeySegment[],
  env: Env,
  errors: HookmuxError[],
): string {
  if (!text.includes('$')) return text;
  let out = '';
  let at = 0;
  let ok = true;
  while (at < text.length) {
    const dollar = text.indexOf('$', at);
    if (dollar < 0) {
      out += text.slice(at);
      break;
    }
    out += text.slice(at, dollar);
    if (text.startsWith('$${', dollar)) {
      out += '${';
      at = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      out += '$';
      at = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    const match = close < 0 ? undefined : reference.exec(text.slice(dollar + 2, close));
    const name = match?.[1];
    if (match === undefined || match === null || name === undefined) {
      // The value may be a secret with a stray `${`: name the key, never echo the value.
      errors.push(
        new HookmuxError('HM_ERR_CFG_INVALID', 'contains "${" that is not a variable reference', {
          at: formatKeyPath(path),
          hint: 'write ${NAME} or ${NAME:-default}, or $${ for a literal ${',
        }),
      );
      return '';
    }
    const fallback = match[2];
    const value = env[name];
    if (fallback !== undefined && (value === undefined || value === '')) out += fallback;
    else if (value !== undefined) out += value;
    else {
      errors.push(
        new HookmuxError('HM_ERR_CFG_ENV', `environment variable ${name} is not set`, {
          at: formatKeyPath(path),
          hint: `set ${name}, or give a default: \${${name}:-value}`,
        }),
      );
      ok = false;
    }
    at = close + 1;
  }
  if (!ok) return '';
  if (wholeReference.test(text)) {
    const marked = wholeInterpolations.get(container) ?? new Set<KeySegment>();
    marked.add(key);
    wholeInterpolations.set(container, marked);
  }
  return out;
}
