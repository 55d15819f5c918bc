import { describe, expect, it } from '@jest/globals';

import type { HookEvent } from '../contracts/hook-event.js';
import type { RouteConfig } from '../config/hookmux-config.js';
import { compileFilter, compileRoute, explainNoMatch, matchRoutes } from './compile-routes.js';

function event(overrides: Partial<HookEvent> = {}): HookEvent {
  return {
    id: 'gitee:1',
    source: 'gitee',
    type: 'push',
    action: 'update',
    name: 'gitee.push.update',
    repo: 'acme/widget',
    branch: 'main',
    actor: 'zhangsan',
    ping: false,
    receivedAt: 0,
    summary: 'zhangsan pushed',
    payload: {},
    data: {},
    ...overrides,
  };
}

function route(name: string, when: RouteConfig['when'], to: string[]): RouteConfig {
  return { name, when, to };
}

describe('compileFilter', () => {
  it('passes anything when absent', () => {
    expect(compileFilter(undefined)([])).toBe(true);
  });
  it('matches globs and honours ! negation', () => {
    const branch = compileFilter(['main', 'release/**', '!release/old/**']);
    expect(branch(['main'])).toBe(true);
    expect(branch(['release/2024/06'])).toBe(true);
    expect(branch(['release/old/1'])).toBe(false);
    expect(branch(['feature/x'])).toBe(false);
  });
  it('treats a filter of only negations as "anything but"', () => {
    const actor = compileFilter('!ci-bot');
    expect(actor(['zhangsan'])).toBe(true);
    expect(actor(['ci-bot'])).toBe(false);
    expect(actor([])).toBe(true);
  });
  it('fails an event without the field when the filter names values', () => {
    expect(compileFilter('main')([])).toBe(false);
  });
});

describe('matchRoutes', () => {
  it('sends one repo to two groups', () => {
    const routes = [route('acme', { repo: 'acme/*' }, ['team-a', 'ops'])].map(compileRoute);
    expect(matchRoutes(event(), routes).map((m) => m.sink)).toEqual(['team-a', 'ops']);
    expect(matchRoutes(event({ repo: 'other/widget' }), routes)).toEqual([]);
  });

  it('applies a branch glob with negation', () => {
    const routes = [route('r', { event: 'push', branch: ['release/**', '!release/legacy'] }, ['team-a'])].map(
      compileRoute,
    );
    expect(matchRoutes(event({ branch: 'release/1.2' }), routes)).toHaveLength(1);
    expect(matchRoutes(event({ branch: 'release/legacy' }), routes)).toHaveLength(0);
    expect(matchRoutes(event({ branch: 'main' }), routes)).toHaveLength(0);
  });

  it('delivers an (event, sink) pair once when two routes match, from the first route', () => {
    const routes = [
      route('first', { source: 'gitee' }, ['team-a']),
      route('second', { event: 'push' }, ['team-a', 'ops']),
    ].map(compileRoute);
    const matches = matchRoutes(event(), routes);
    expect(matches.map((m) => [m.route.name, m.sink])).toEqual([
      ['first', 'team-a'],
      ['second', 'ops'],
    ]);
  });

  it('matches events by type, full name or glob on the name', () => {
    const byName = (e: string) => [route('r', { event: e }, ['s'])].map(compileRoute);
    const merge = event({ type: 'merge_request', action: 'merge', name: 'gitee.merge_request.merge' });
    expect(matchRoutes(merge, byName('merge_request'))).toHaveLength(1);
    expect(matchRoutes(merge, byName('gitee.merge_request.merge'))).toHaveLength(1);
    expect(matchRoutes(merge, byName('gitee.merge_request.*'))).toHaveLength(1);
    expect(matchRoutes(merge, byName('merge_request.merge'))).toHaveLength(1);
    expect(matchRoutes(merge, byName('push'))).toHaveLength(0);
  });

  it('filters on action lists with negation and on the actor', () => {
    const routes = [route('r', { action: ['!update', '!assign'], actor: '!ci-bot' }, ['s'])].map(
      compileRoute,
    );
    expect(matchRoutes(event({ action: 'merge' }), routes)).toHaveLength(1);
    expect(matchRoutes(event({ action: 'update' }), routes)).toHaveLength(0);
    expect(matchRoutes(event({ action: 'merge', actor: 'ci-bot' }), routes)).toHaveLength(0);
  });

  it('delivers pings only to routes that ask for them', () => {
    const routes = [route('quiet', {}, ['a']), route('pings', { ping: true }, ['b'])].map(compileRoute);
    expect(matchRoutes(event({ ping: true }), routes).map((m) => m.sink)).toEqual(['b']);
    expect(matchRoutes(event(), routes).map((m) => m.sink)).toEqual(['a', 'b']);
  });

  it('matches repositories case-insensitively (Gitee shows display casing in places)', () => {
    const routes = [route('r', { repo: 'src-openeuler/*' }, ['s'])].map(compileRoute);
    expect(matchRoutes(event({ repo: 'src-openEuler/containerd' }), routes)).toHaveLength(1);
  });
});

describe('explainNoMatch: why an event matched no route', () => {
  const routes = [
    route('acme-main', { source: ['gitee'], repo: ['acme/*'], branch: ['main', 'release/**'] }, ['team-a']),
    route('routes[1]', { event: ['issue'] }, ['team-a']),
    route('no-bots', { actor: ['!ci-bot'] }, ['ops']),
    route('tags', { tag: ['v*'] }, ['ops']),
  ].map(compileRoute);

  it('names, for each route, the first filter that refused the event', () => {
    const dev = event({ branch: 'dev', actor: 'ci-bot' });
    expect(matchRoutes(dev, routes)).toEqual([]);
    expect(explainNoMatch(dev, routes)).toEqual([
      'routes[0] (acme-main): branch "dev" not in [main, release/**]',
      'routes[1]: event "gitee.push.update" not in [issue]',
      'routes[2] (no-bots): actor "ci-bot" excluded by !ci-bot',
      'routes[3] (tags): tag: the event has none, and the route needs [v*]',
    ]);
  });

  it('says a ping needs ping: true, and that there are no routes at all', () => {
    expect(explainNoMatch(event({ ping: true }), routes.slice(0, 1))).toEqual([
      'routes[0] (acme-main): a test ping, and the route has no ping: true',
    ]);
    expect(explainNoMatch(event(), [])).toEqual(['no routes are configured']);
  });
});
