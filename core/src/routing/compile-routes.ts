import picomatch from 'picomatch';

import type { HookEvent } from '../contracts/hook-event.js';
import type { Filter, RouteConfig } from '../config/hookmux-config.js';

/** A route with its filters compiled once, at config load, so matching is cheap per webhook. */
export interface CompiledRoute {
  readonly config: RouteConfig;
  matches(event: HookEvent): boolean;
  /** Why the route refuses the event (`branch "dev" not in [main, release/**]`), or undefined if it matches. */
  refusal(event: HookEvent): string | undefined;
}

type Matcher = (values: readonly string[]) => boolean;

/**
 * Compiles one filter: entries are globs, a leading `!` negates. A value passes when it matches
 * some positive entry (if there are any) and no negative one. An event without the field passes
 * a filter made only of negations, and fails one with positive entries.
 */
export function compileFilter(filter: Filter | undefined, options: picomatch.PicomatchOptions = {}): Matcher {
  if (filter === undefined) return () => true;
  const entries = typeof filter === 'string' ? [filter] : filter;
  const positive = entries.filter((e) => !e.startsWith('!')).map((e) => picomatch(e, options));
  const negative = entries.filter((e) => e.startsWith('!')).map((e) => picomatch(e.slice(1), options));
  return (values) => {
    if (values.length === 0) return positive.length === 0;
    if (negative.some((m) => values.some((v) => m(v)))) return false;
    return positive.length === 0 || positive.some((m) => values.some((v) => m(v)));
  };
}

export function compileRoute(config: RouteConfig): CompiledRoute {
  const { when } = config;
  const matches = compileMatch(config);
  return {
    config,
    matches,
    refusal: (event) => (matches(event) ? undefined : explainRefusal(when, event)),
  };
}

function compileMatch(config: RouteConfig): (event: HookEvent) => boolean {
  const { when } = config;
  const source = compileFilter(when.source);
  const repo = compileFilter(when.repo, { nocase: true });
  const event = compileFilter(when.event);
  const action = compileFilter(when.action);
  const branch = compileFilter(when.branch);
  const tag = compileFilter(when.tag);
  const actor = compileFilter(when.actor);
  const robot = compileFilter(when.robot);
  const some = (v: string | undefined): string[] => (v === undefined || v === '' ? [] : [v]);
  return (e) =>
    (!e.ping || when.ping === true) &&
    source([e.source]) &&
    repo(some(e.repo)) &&
    // `event: push` names the type; `gitee.push.create` or `gitee.merge_request.*` the full name.
    event(eventAliases(e)) &&
    action(some(e.action)) &&
    branch(some(e.branch)) &&
    tag(some(e.tag)) &&
    actor(some(e.actor)) &&
    robot(some(e.robot));
}

const explainedKeys = ['source', 'repo', 'event', 'action', 'branch', 'tag', 'actor', 'robot'] as const;

/** The first filter that refuses the event, in the order a reader scans `when:`. */
function explainRefusal(when: RouteConfig['when'], e: HookEvent): string {
  if (e.ping && when.ping !== true) return 'a test ping, and the route has no ping: true';
  for (const key of explainedKeys) {
    const filter = when[key];
    if (filter === undefined) continue;
    const values =
      key === 'source'
        ? [e.source]
        : key === 'event'
          ? eventAliases(e)
          : [e[key]].filter((v) => v !== undefined && v !== '');
    const options = key === 'repo' ? { nocase: true } : {};
    if (compileFilter(filter, options)(values as string[])) continue;
    const entries = typeof filter === 'string' ? [filter] : filter;
    const shown = key === 'event' ? e.name : values[0];
    if (shown === undefined) return `${key}: the event has none, and the route needs [${entries.join(', ')}]`;
    const excluded = entries.find(
      (x) => x.startsWith('!') && values.some((v) => v !== undefined && picomatch(x.slice(1), options)(v)),
    );
    return excluded
      ? `${key} "${shown}" excluded by ${excluded}`
      : `${key} "${shown}" not in [${entries.filter((x) => !x.startsWith('!')).join(', ')}]`;
  }
  return 'no filter refused it';
}

/** For an event no route matched: one line per route, `routes[0] (acme-main): branch "dev" not in [main]`. */
export function explainNoMatch(event: HookEvent, routes: readonly CompiledRoute[]): string[] {
  if (routes.length === 0) return ['no routes are configured'];
  return routes.map((route, index) => {
    const name =
      route.config.name === `routes[${index}]`
        ? `routes[${index}]`
        : `routes[${index}] (${route.config.name})`;
    return `${name}: ${route.refusal(event) ?? 'matches'}`;
  });
}

function eventAliases(e: HookEvent): string[] {
  const names = [e.type, `${e.source}.${e.type}`, e.name];
  if (e.action) names.push(`${e.type}.${e.action}`);
  return names;
}

/** One delivery target of an event: the first route (in config order) that sends it to the sink. */
export interface RouteMatch {
  readonly route: RouteConfig;
  readonly sink: string;
}

/** Every (route, sink) an event goes to; an (event, sink) pair appears once even if several routes match. */
export function matchRoutes(event: HookEvent, routes: readonly CompiledRoute[]): RouteMatch[] {
  const seen = new Set<string>();
  const matches: RouteMatch[] = [];
  for (const route of routes) {
    if (!route.matches(event)) continue;
    for (const sink of route.config.to) {
      if (seen.has(sink)) continue;
      seen.add(sink);
      matches.push({ route: route.config, sink });
    }
  }
  return matches;
}
