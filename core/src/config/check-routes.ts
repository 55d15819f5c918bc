import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import picomatch from 'picomatch';

import type { Source } from '../contracts/source.js';
import { templateFormats } from '../contracts/message.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { didYouMean } from './did-you-mean.js';
import { formatKeyPath, type KeySegment } from './format-key-path.js';
import type { Filter, HookmuxConfig, RouteConfig, RouteWhen } from './hookmux-config.js';

/** An event a source declares, split into the parts routes filter on. */
interface KnownEvent {
  readonly source: string;
  readonly type: string;
  readonly action: string | undefined;
  readonly name: string;
  /** What an `event:` entry may name it by: `push`, `gitee.push`, `gitee.push.update`, `push.update`. */
  readonly aliases: readonly string[];
}

export interface RouteCheck {
  /** Filters that can never match, globs that do not compile. */
  readonly errors: HookmuxError[];
  /** Likely mistakes that still run: regex-looking globs, shadowed routes, stray templates. */
  readonly warnings: string[];
}

const globKeys = ['source', 'repo', 'event', 'action', 'branch', 'tag', 'actor', 'robot'] as const;
const otherKeys = ['repo', 'branch', 'tag', 'actor', 'robot'] as const;

/**
 * What `hookmux check` (and start-up) knows about routes beyond the schema, from the sources'
 * declared event names: sources, events and actions no loaded source can produce (with "did you
 * mean"), globs that do not compile, values that look like regular expressions, template files
 * that match no event, and routes that an earlier route shadows for the same (event, sink).
 */
export function checkRoutes(config: HookmuxConfig, sources: readonly Source[]): RouteCheck {
  const errors: HookmuxError[] = [];
  const warnings: string[] = [];
  const known = sources.flatMap((s) => (s.eventNames ?? []).map((n) => parseEventName(n)));
  const declares = new Set(sources.filter((s) => s.eventNames !== undefined).map((s) => s.id));
  const reach: Array<readonly KnownEvent[] | undefined> = [];

  config.routes.forEach((route, index) => {
    const at = (key: string, entry: number, list: readonly string[]): string =>
      formatKeyPath(['routes', index, 'when', key, ...(list.length > 1 ? [entry] : [])] as KeySegment[]);
    let broken = false;
    for (const key of globKeys) {
      const list = asList(route.when[key]);
      list.forEach((entry, i) => {
        const glob = entry.startsWith('!') ? entry.slice(1) : entry;
        try {
          picomatch(glob, { strictBrackets: true });
        } catch (cause) {
          broken = true;
          errors.push(
            new HookmuxError(
              'HM_ERR_CFG_BAD_GLOB',
              `"${entry}" is not a valid glob: ${(cause as Error).message}`,
              {
                at: at(key, i, list),
                hint: `close the bracket or escape it (${JSON.stringify(fixGlob(glob))}); globs use * ** ? [abc] {a,b}`,
                cause,
              },
            ),
          );
          return;
        }
        const regex = looksLikeRegex(glob);
        if (regex) {
          warnings.push(
            `${at(key, i, list)}: "${entry}" looks like a regular expression; filters are globs (did you mean "${entry.startsWith('!') ? '!' : ''}${regexToGlob(glob)}"?)`,
          );
        }
      });
    }
    if (broken) {
      reach.push(undefined);
      return;
    }

    // Sources: every entry must name (or glob) a loaded source.
    const sourceIds = sources.map((s) => s.id);
    const sourceList = asList(route.when.source);
    sourceList.forEach((entry, i) => {
      const glob = stripNot(entry);
      if (sourceIds.some((id) => picomatch.isMatch(id, glob))) return;
      errors.push(
        new HookmuxError('HM_ERR_CFG_NEVER_MATCHES', `no source "${glob}" is loaded`, {
          at: at('source', i, sourceList),
          hint: hintFor(glob, sourceIds, 'known sources'),
        }),
      );
    });
    const sourceOk = filterOf(route.when.source);
    const admitted = sourceIds.filter((id) => sourceOk([id]));
    // A source that does not declare its events cannot be checked; any of them admitted: stop here.
    if (admitted.length === 0 || admitted.some((id) => !declares.has(id))) {
      reach.push(undefined);
      return;
    }
    const candidates = known.filter((e) => admitted.includes(e.source));
    const from = admitted.length === 1 ? ` from ${admitted[0]}` : '';

    const eventList = asList(route.when.event);
    let unknown = false;
    let wrongAction = false;
    eventList.forEach((entry, i) => {
      const glob = stripNot(entry);
      if (candidates.some((e) => e.aliases.some((a) => picomatch.isMatch(a, glob)))) return;
      unknown = true;
      const words = candidates.flatMap((e) => e.aliases);
      errors.push(
        new HookmuxError('HM_ERR_CFG_NEVER_MATCHES', `no event "${glob}"${from}`, {
          at: at('event', i, eventList),
          hint: hintFor(glob, words, 'known events', unique(candidates.map((e) => e.type))),
        }),
      );
    });
    const eventOk = filterOf(route.when.event);
    const ofEvents = candidates.filter((e) => eventOk(e.aliases));
    const actionList = asList(route.when.action);
    const actions = unique(ofEvents.flatMap((e) => (e.action === undefined ? [] : [e.action])));
    actionList.forEach((entry, i) => {
      // After an unknown event, "no such action" would only repeat it.
      if (unknown) return;
      const glob = stripNot(entry);
      if (actions.some((a) => picomatch.isMatch(a, glob))) return;
      wrongAction = true;
      const what =
        eventList.length > 0
          ? ` for ${eventList.filter((e) => !e.startsWith('!')).join(', ') || 'these events'}`
          : from;
      errors.push(
        new HookmuxError('HM_ERR_CFG_NEVER_MATCHES', `no action "${glob}"${what}`, {
          at: at('action', i, actionList),
          hint: hintFor(glob, actions, 'known actions'),
        }),
      );
    });
    const actionOk = filterOf(route.when.action);
    const names = ofEvents.filter((e) => actionOk(e.action === undefined ? [] : [e.action]));
    if (names.length === 0 && !unknown && !wrongAction) {
      errors.push(
        new HookmuxError(
          'HM_ERR_CFG_NEVER_MATCHES',
          'no event passes all of source, event and action together',
          {
            at: formatKeyPath(['routes', index, 'when']),
            hint: `events these filters allow one by one: ${
              unique(ofEvents.map((e) => e.name))
                .slice(0, 8)
                .join(', ') || '(none)'
            }`,
          },
        ),
      );
    }
    reach.push(names);
  });

  warnings.push(...findShadowed(config.routes, reach));
  warnings.push(...findStrayTemplates(config, sources, known));
  return { errors, warnings };
}

function findShadowed(
  routes: readonly RouteConfig[],
  reach: ReadonlyArray<readonly KnownEvent[] | undefined>,
): string[] {
  const warnings: string[] = [];
  routes.forEach((route, index) => {
    const names = reach[index];
    if (names === undefined || names.length === 0) return;
    for (const sink of route.to) {
      const by = new Set<number>();
      const covered = names.every((event) => {
        const earlier = routes.findIndex(
          (other, i) =>
            i < index &&
            other.to.includes(sink) &&
            (reach[i] ?? []).some((e) => e.name === event.name) &&
            covers(other.when, route.when),
        );
        if (earlier >= 0) by.add(earlier);
        return earlier >= 0;
      });
      if (!covered) continue;
      const earlier = [...by].map((i) => label(routes, i)).join(', ');
      warnings.push(
        `${label(routes, index)}: never sends to "${sink}": every event it matches already goes there through ${earlier}, which comes first (an event reaches a sink once, through the first route; move this route up or narrow the earlier one)`,
      );
    }
  });
  return warnings;
}

/** Whether `earlier` lets through everything `later` does, on the filters besides source/event/action. */
function covers(earlier: RouteWhen, later: RouteWhen): boolean {
  if (later.ping === true && earlier.ping !== true) return false;
  return otherKeys.every((key) => {
    const a = earlier[key];
    return a === undefined || JSON.stringify(asList(a)) === JSON.stringify(asList(later[key]));
  });
}

function findStrayTemplates(
  config: HookmuxConfig,
  sources: readonly Source[],
  known: readonly KnownEvent[],
): string[] {
  const dirs = unique([
    ...(config.templates.dir === undefined ? [] : [config.templates.dir]),
    ...config.routes.flatMap((r) => (r.template === undefined ? [] : [r.template])),
  ]);
  const warnings: string[] = [];
  for (const dir of dirs) {
    for (const source of sources) {
      if (source.eventNames === undefined) continue;
      const folder = join(dir, source.id);
      if (!isDir(folder)) continue;
      const events = known.filter((e) => e.source === source.id);
      const stems = unique(
        events.flatMap((e) => (e.action === undefined ? [e.type] : [e.type, `${e.type}.${e.action}`])),
      );
      for (const file of readdirSync(folder)) {
        if (!file.endsWith('.hbs') || file.startsWith('_')) continue;
        const parts = file.slice(0, -'.hbs'.length).split('.');
        const format = parts.pop() ?? '';
        const stem = parts.join('.');
        const formatOk = (templateFormats as readonly string[]).includes(format);
        if (formatOk && stems.includes(stem)) continue;
        const guess = didYouMean(stem, stems);
        const fix = formatOk
          ? guess === undefined
            ? ''
            : ` (did you mean ${guess}.${format}.hbs?)`
          : ` (the format must be one of ${templateFormats.join(', ')}: ${stem}.md.hbs)`;
        warnings.push(`${join(folder, file)}: matches no ${source.id} event, so it is never used${fix}`);
      }
    }
  }
  return warnings;
}

function parseEventName(name: string): KnownEvent {
  const [source = '', type = '', ...rest] = name.split('.');
  const action = rest.length > 0 ? rest.join('.') : undefined;
  const aliases = [type, `${source}.${type}`, name];
  if (action !== undefined) aliases.push(`${type}.${action}`);
  return { source, type, action, name, aliases };
}

function asList(filter: Filter | undefined): readonly string[] {
  return filter === undefined ? [] : typeof filter === 'string' ? [filter] : filter;
}

function stripNot(entry: string): string {
  return entry.startsWith('!') ? entry.slice(1) : entry;
}

/** The same semantics as a compiled route's filter (positive entries any, negative none). */
function filterOf(filter: Filter | undefined): (values: readonly string[]) => boolean {
  const list = asList(filter);
  const positive = list.filter((e) => !e.startsWith('!'));
  const negative = list.filter((e) => e.startsWith('!')).map(stripNot);
  return (values) => {
    if (values.length === 0) return positive.length === 0;
    if (negative.some((g) => values.some((v) => picomatch.isMatch(v, g)))) return false;
    return positive.length === 0 || positive.some((g) => values.some((v) => picomatch.isMatch(v, g)));
  };
}

function hintFor(
  input: string,
  words: readonly string[],
  what: string,
  shown: readonly string[] = words,
): string {
  const guess = didYouMean(input, words);
  const list = unique(shown).slice(0, 12).join(', ');
  return guess === undefined ? `${what}: ${list || '(none)'}` : `did you mean "${guess}"? ${what}: ${list}`;
}

/** `^release/.*$`, `\d+`, `(a|b)`: glob filters never treat these as regular expressions. */
function looksLikeRegex(glob: string): boolean {
  return /^\^|\$$|\.\*|\.\+|\\[dwsDWS]|\(\?|\|/.test(glob);
}

function regexToGlob(regex: string): string {
  return regex
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\.\*$/, '**')
    .replace(/\.[*+]/g, '*')
    .replace(/\\\./g, '.')
    .replace(/\\d\+?/g, '[0-9]*')
    .replace(/\(([^()]*)\)/g, (_, body: string) => `{${body.split('|').join(',')}}`);
}

function fixGlob(glob: string): string {
  const opens = (glob.match(/\[/g) ?? []).length - (glob.match(/\]/g) ?? []).length;
  return opens > 0 ? `${glob}]` : glob.replace(/[[\](){}]/g, (c) => `\\${c}`);
}

function label(routes: readonly RouteConfig[], index: number): string {
  const name = routes[index]?.name ?? `routes[${index}]`;
  return name === `routes[${index}]` ? name : `routes[${index}] (${name})`;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
