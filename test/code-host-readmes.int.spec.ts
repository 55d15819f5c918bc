import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { MemoryLogger, type HookEvent, type Source } from '@hookmux/core';
import { GiteaSource, giteaSamples } from '@hookmux/source-gitea';
import { GitHubSource, gitHubSamples } from '@hookmux/source-github';
import { GitLabSource, gitLabSamples } from '@hookmux/source-gitlab';

import { loadConfig } from '../core/src/config/load-config.js';
import { compileRoute, matchRoutes } from '../core/src/routing/compile-routes.js';
import { runCliCapture } from './helpers/run-cli-capture.js';

/**
 * The example config in each code-host plugin's README: `hookmux check` accepts it, and its routes
 * send the plugin's playground samples where the README says they go.
 */
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function exampleOf(plugin: string): string {
  const readme = readFileSync(join(repo, 'plugins', plugin, 'README.md'), 'utf8');
  const match = /```yaml\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error(`${plugin}/README.md has no yaml example`);
  return `storage: { type: memory }\n${match[1]}`;
}

const env = {
  GITHUB_WEBHOOK_SECRET: 'readme-github-secret',
  GITLAB_WEBHOOK_TOKEN: 'readme-gitlab-token',
  GITEA_WEBHOOK_SECRET: 'readme-gitea-secret',
  WECOM_DEV: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=readme-dev',
  WECOM_CI: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=readme-ci',
  WECOM_SECURITY: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=readme-security',
};

async function sinksFor(plugin: string, event: HookEvent): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-host-'));
  writeFileSync(join(dir, 'hookmux.yaml'), exampleOf(plugin));
  const config = await loadConfig(join(dir, 'hookmux.yaml'), { env });
  return matchRoutes(event, config.routes.map(compileRoute)).map((m) => `${m.route.name}→${m.sink}`);
}

async function receiveSample(source: Source, sample: { event: string; payload: object; headers?: object }) {
  return source.receive(
    {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/json', ...(sample.headers as Record<string, string>) },
      query: {},
      params: {},
      rawBody: Buffer.from(JSON.stringify(sample.payload)),
      ip: '127.0.0.1',
      receivedAt: Date.now(),
    },
    { settings: { secret: 'none' }, logger: new MemoryLogger(), now: Date.now },
  );
}

describe('the code-host plugin READMEs', () => {
  it.each(['source-github', 'source-gitlab', 'source-gitea'])(
    '%s: the example passes hookmux check',
    async (plugin) => {
      const dir = mkdtempSync(join(tmpdir(), 'hookmux-readme-host-'));
      writeFileSync(join(dir, 'hookmux.yaml'), exampleOf(plugin));
      const run = await runCliCapture(['check', '-c', join(dir, 'hookmux.yaml')], { env });
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
    },
  );

  it('GitHub: a push to main and a failed workflow reach the groups the README names', async () => {
    const source = new GitHubSource();
    expect(await sinksFor('source-github', await receiveSample(source, gitHubSamples[0]!))).toEqual([
      'github-main→dev-group',
    ]);
    expect(await sinksFor('source-github', await receiveSample(source, gitHubSamples[2]!))).toEqual([
      'github-ci-failures→ci-group',
    ]);
  });

  it('GitHub: a label change on a pull request does not reach the group', async () => {
    const opened = gitHubSamples[1]!;
    const labeled = {
      ...opened,
      payload: { ...opened.payload, action: 'labeled', label: { name: 'feature' } },
    };
    expect(await sinksFor('source-github', await receiveSample(new GitHubSource(), opened))).toEqual([
      'github-main→dev-group',
    ]);
    expect(await sinksFor('source-github', await receiveSample(new GitHubSource(), labeled))).toEqual([]);
  });

  it('GitHub: a comment by an App ([bot]) is skipped, a person’s is not', async () => {
    const source = new GitHubSource();
    const comment = (login: string) => ({
      event: 'issue_comment',
      headers: { 'x-github-event': 'issue_comment' },
      payload: {
        action: 'created',
        issue: {
          number: 3,
          title: 't',
          html_url: 'https://github.com/acme-cn/widget/issues/3',
          user: { login: 'x' },
        },
        comment: {
          id: 1,
          body: 'hi',
          html_url: 'https://github.com/acme-cn/widget/issues/3#c1',
          user: { login },
        },
        repository: {
          full_name: 'acme-cn/widget',
          name: 'widget',
          html_url: 'https://github.com/acme-cn/widget',
        },
        sender: { login },
      },
    });
    expect(await sinksFor('source-github', await receiveSample(source, comment('ci-helper[bot]')))).toEqual(
      [],
    );
    expect(await sinksFor('source-github', await receiveSample(source, comment('zhangsan-dev')))).toEqual([
      'humans-only→dev-group',
    ]);
  });

  it('GitLab: a confidential issue goes to the security group only, a failed pipeline to the dev group', async () => {
    const source = new GitLabSource();
    expect(await sinksFor('source-gitlab', await receiveSample(source, gitLabSamples[3]!))).toEqual([
      'gitlab-security→security-group',
    ]);
    expect(await sinksFor('source-gitlab', await receiveSample(source, gitLabSamples[2]!))).toEqual([
      'gitlab-main→dev-group',
    ]);
  });

  it('Gitea: a push to main and a failed Forgejo run reach the dev group', async () => {
    const source = new GiteaSource();
    expect(await sinksFor('source-gitea', await receiveSample(source, giteaSamples[0]!))).toEqual([
      'gitea-main→dev-group',
    ]);
    expect(await sinksFor('source-gitea', await receiveSample(source, giteaSamples[2]!))).toEqual([
      'gitea-ci-failures→dev-group',
    ]);
  });
});
