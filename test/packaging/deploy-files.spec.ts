import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

import { exampleConfigPath, parseConfig } from '../../core/src/config/load-config.js';

/**
 * No Docker engine, compose, nginx or Caddy runs where the tests run: these checks keep the
 * deploy files in step with what the tests do run (see docs/deploy.md for what was built).
 */
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string): string => readFileSync(join(repo, file), 'utf8');
const dockerfile = read('deploy/Dockerfile');
const packTest = read('test/packaging/pack-install.int.spec.ts');

/** NODE_OPTIONS as a deploy file sets it (Dockerfile ENV, systemd Environment=). */
function nodeOptionsIn(text: string): string | undefined {
  return /^\s*(?:Environment=)?NODE_OPTIONS=(\S+)/m.exec(text)?.[1];
}

/** The largest young generation a node process grows to under allocation, with these NODE_OPTIONS, MB. */
function youngGenerationMb(nodeOptions: string): number {
  const churn = `
    const keep = [];
    let peak = 0;
    for (let i = 0; i < 400_000; i++) {
      keep.push({ i, s: 'x'.repeat(100) + i });
      if (keep.length > 20_000) keep.splice(0, 10_000);
      if (i % 1000 === 0) peak = Math.max(peak, require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    console.log(peak / 1048576);`;
  const out = execFileSync(process.execPath, ['-e', churn], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return Number(out.trim());
}

describe('the node options of the service files', () => {
  it('are the same in the image and the systemd unit, and keep the young generation at 2 × 8 MB', () => {
    const docker = nodeOptionsIn(dockerfile);
    const systemd = nodeOptionsIn(read('deploy/hookmux.service'));
    expect(docker).toBe('--max-semi-space-size=8');
    expect(systemd).toBe(docker);
    expect(youngGenerationMb(docker ?? '')).toBeLessThanOrEqual(16);
    expect(youngGenerationMb('')).toBeGreaterThan(16);
  }, 30_000);
});

describe('deploy/Dockerfile', () => {
  it('packs and installs with the commands the pack-and-install test runs', () => {
    expect(dockerfile).toContain('npm pack --workspaces --pack-destination /tarballs');
    expect(packTest).toContain("'pack', '--workspaces', '--pack-destination'");
    const install = /npm install ((?:--[a-z-]+(?:=\S+)? )+)\/tarballs\/\*\.tgz/.exec(dockerfile)?.[1];
    expect(install).toBeDefined();
    const flags = (install ?? '').trim().split(' ');
    expect(flags).toEqual([
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ]);
    for (const flag of flags) expect(packTest).toContain(`'${flag}'`);
    // The binary the build stage compiled, as the test copies the clone's.
    expect(dockerfile).toMatch(
      /COPY --from=build \/src\/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node/,
    );
  });

  it('is multi-stage, runs as a non-root user with a data volume and a /healthz health check', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(lastStage).toMatch(/^USER node$/m);
    expect(lastStage).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(lastStage).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(lastStage).toMatch(/^ENV [\s\S]*HOOKMUX_CONFIG=\/etc\/hookmux\/hookmux\.yaml/m);
    expect(lastStage).toContain('ENTRYPOINT ["hookmux"]');
  });

  it('edits the example config into a valid one listening on 0.0.0.0 with its outbox on /data', () => {
    const script = /sed -i '([^']+)' \/etc\/hookmux\/hookmux\.yaml/.exec(dockerfile)?.[1];
    expect(script).toBeDefined();
    const copy = join(mkdtempSync(join(tmpdir(), 'hookmux-docker-config-')), 'hookmux.yaml');
    copyFileSync(exampleConfigPath, copy);
    execFileSync('sed', ['-i', script ?? '', copy]);
    const { config, errors } = parseConfig(readFileSync(copy, 'utf8'), copy, { env: {} });
    expect(errors).toEqual([]);
    expect(config?.server.host).toBe('0.0.0.0');
    expect(config?.storage).toEqual({
      type: 'sqlite',
      path: '/data/hookmux.db',
      retention: { sentMs: 30 * 24 * 60 * 60 * 1000 },
    });
  });
});

describe('compose files', () => {
  interface Service {
    build?: { context: string; dockerfile: string };
    volumes?: string[];
    command?: string[];
    environment?: Record<string, string>;
  }
  const load = (file: string): Record<string, Service> =>
    (parse(read(file), { merge: true }) as { services: Record<string, Service> }).services;

  it('SQLite: one instance, the outbox on a named volume at /data', () => {
    const services = load('deploy/compose.sqlite.yaml');
    expect(Object.keys(services)).toEqual(['hookmux']);
    expect(services['hookmux']?.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(services['hookmux']?.volumes).toContain('hookmux-data:/data');
  });

  it('Redis: two instances on one Redis that writes every change to disk', () => {
    const services = load('deploy/compose.redis.yaml');
    expect(Object.keys(services).sort()).toEqual(['hookmux-1', 'hookmux-2', 'nginx', 'redis']);
    for (const name of ['hookmux-1', 'hookmux-2'])
      expect(services[name]?.environment?.['REDIS_URL']).toMatch(
        /^redis:\/\/:\$\{REDIS_PASSWORD\}@redis:6379/,
      );
    expect(services['redis']?.command).toEqual(
      expect.arrayContaining(['--appendonly', 'yes', '--appendfsync', 'always']),
    );
    const upstream = read('deploy/nginx-upstream.conf');
    expect(upstream).toContain('server hookmux-1:8080');
    expect(upstream).toContain('server hookmux-2:8080');
  });
});

describe('systemd unit', () => {
  it('runs hookmux serve with HOOKMUX_CONFIG, reloads with SIGHUP, as its own user', () => {
    const unit = read('deploy/hookmux.service');
    expect(unit).toMatch(/^ExecStart=\/opt\/hookmux\/node_modules\/\.bin\/hookmux serve$/m);
    expect(unit).toMatch(/^Environment=HOOKMUX_CONFIG=\/etc\/hookmux\/hookmux\.yaml$/m);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^User=hookmux$/m);
  });
});
