import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import type { Runtime } from '../runtime/runtime.js';

export interface TemplateListing {
  /** Where the folder sits on the search path: a route's own, the user's, or the built-ins. */
  readonly origin: string;
  /** Template names relative to the folder (`gitee/push.md.hbs`). */
  readonly names: readonly string[];
}

/**
 * The template files on every search path in force, most specific folder first, so the page
 * can say which file an event would use. Folder paths stay on the server: names are enough.
 */
export function listTemplates(runtime: Runtime): { folders: TemplateListing[] } {
  const seen = new Set<string>();
  const folders: TemplateListing[] = [];
  const add = (dir: string, origin: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    folders.push({ origin, names: listHbs(dir) });
  };
  for (const route of runtime.config.routes) {
    if (route.template)
      add(runtime.renderer.searchPath(route.template)[0] ?? route.template, `route ${route.name}`);
  }
  const path = runtime.renderer.searchPath();
  const builtin = path.at(-1);
  for (const dir of path.slice(0, -1))
    add(dir, dir === runtime.config.templates.dir ? 'templates.dir' : 'plugin');
  if (builtin !== undefined) add(builtin, 'built-in');
  return { folders };
}

function listHbs(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      return;
    }
    for (const entry of entries.sort()) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.hbs')) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found;
}
