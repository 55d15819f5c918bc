// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top self-time functions, and self time
// grouped by where the code lives (hookmux, a dependency, Node internals, GC).
//   node bench/profile-summary.js FILE.cpuprofile [--top 20]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { repoRoot } from './support/processes.js';

export function summariseProfile(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const functions = new Map();
  const areas = new Map();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const where = locate(callFrame.url);
    const name =
      `${callFrame.functionName || '(anonymous)'} ${where ? `${where}:${callFrame.lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(callFrame);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: round1((100 * us) / totalUs) }));
  return {
    file,
    busyMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    topSelf: rank(functions).slice(0, top),
    byArea: rank(areas),
  };
}

function locate(url) {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith('/') ? relative(repoRoot, path) : path;
}

function areaOf({ functionName, url }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = locate(url);
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (dep && !dep[1].startsWith('@hookmux/')) return `dep: ${dep[1]}`;
  const own = /(?:^|\/)(core|plugins\/[^/]+)\/lib\//.exec(path) ?? /@hookmux\/([^/]+)/.exec(path);
  return own ? `hookmux: ${own[1]}` : path;
}

const round1 = (x) => Math.round(x * 10) / 10;

export function printProfile(summary, log = console.log) {
  log(
    `CPU profile ${relative(process.cwd(), summary.file)}: ${summary.busyMs} ms busy, ${summary.idleMs} ms idle`,
  );
  log('  self time by area:');
  for (const a of summary.byArea.slice(0, 12)) log(`    ${String(a.pct).padStart(5)}%  ${a.name}`);
  log('  top self-time functions:');
  for (const f of summary.topSelf) log(`    ${String(f.pct).padStart(5)}%  ${f.name}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '20' } },
  });
  for (const file of positionals) printProfile(summariseProfile(file, Number(values.top)));
}
