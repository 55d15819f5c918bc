import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

/**
 * The GitHub, GitLab and Gitea sources each carry the same small kit (cross-host data types,
 * readers, guards) so that each package stands alone; this keeps the three copies one text.
 */
const plugins = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'plugins');
const kitOf = (plugin: string) => join(plugins, plugin, 'src', 'kit');

describe('the code-host kit in source-github, source-gitlab and source-gitea', () => {
  const files = readdirSync(kitOf('source-github')).sort();

  it('has the same files in each plugin', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const plugin of ['source-gitlab', 'source-gitea'])
      expect(readdirSync(kitOf(plugin)).sort()).toEqual(files);
  });

  it.each(files)('%s is the same text in each plugin', (file) => {
    const github = readFileSync(join(kitOf('source-github'), file), 'utf8');
    for (const plugin of ['source-gitlab', 'source-gitea'])
      expect(readFileSync(join(kitOf(plugin), file), 'utf8')).toBe(github);
  });
});
