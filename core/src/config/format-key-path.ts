/** One step of a key path: a map key or a list index. */
export type KeySegment = string | number;

const plainKey = /^[A-Za-z0-9_-]+$/;

/**
 * `['routes', 1, 'when', 'evnt']` → `routes[1].when.evnt`, the form every config error uses.
 * Keys that would read ambiguously (dots, spaces) are quoted, and absurdly long ones shortened,
 * so a hostile key cannot flood the message.
 */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (plainKey.test(segment) && segment.length <= 100) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment.length > 100 ? `${segment.slice(0, 100)}…` : segment)}]`;
  }
  return path === '' ? '(top level)' : path;
}

/**
 * An ajv `instancePath` (`/routes/1/to`) as segments; the data tells list indexes from map keys
 * that happen to be digits.
 */
export function parseInstancePath(pointer: string, data: unknown): KeySegment[] {
  if (pointer === '') return [];
  const segments: KeySegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = isPlainRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    }
  }
  return segments;
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
