import { describe, expect, it } from '@jest/globals';

import { redactGiteePayload } from './redact-gitee-payload.js';

describe('redactGiteePayload', () => {
  it('should mask credentials and echoed query parameters, and keep Gitee fields', () => {
    const body = {
      hook_name: 'push_hooks',
      ref: 'refs/heads/main',
      password: 'pw-123',
      sign: 'c2lnbg==',
      timestamp: '1633686799688',
      key: 'wecom-robot-key',
      access_token: 'dt-token',
      route: 'team-a',
      hook_id: 7,
      repository: { name: 'demo', description: 'pw-123 in a description' },
    };
    expect(redactGiteePayload(body, { secrets: ['pw-123'] })).toEqual({
      hook_name: 'push_hooks',
      ref: 'refs/heads/main',
      password: '***',
      sign: '***',
      timestamp: '1633686799688',
      key: '***',
      access_token: '***',
      route: '***',
      hook_id: 7,
      repository: { name: 'demo', description: 'pw-123 in a description' },
    });
  });

  it('should mask a nested value equal to the secret and keep empty credentials empty', () => {
    const out = redactGiteePayload(
      { password: '', sign: '', nested: { deep: ['s3cr3t-value'] } },
      { secrets: ['s3cr3t-value'] },
    );
    expect(out).toEqual({ password: '', sign: '', nested: { deep: ['***'] } });
  });

  it('should not change the body it was given', () => {
    const body = { password: 'x' };
    redactGiteePayload(body);
    expect(body.password).toBe('x');
  });
});
