import { describe, expect, it } from '@jest/globals';

import { verifyBearerToken } from './verify-bearer-token.js';

describe('verifyBearerToken', () => {
  const token = 'admin-token-0123456789';

  it.each([
    [`Bearer ${token}`, true],
    [`bearer ${token}`, true],
    [`Bearer  ${token} `, true],
    [undefined, false],
    ['', false],
    ['Bearer', false],
    ['Bearer ', false],
    [token, false],
    [`Basic ${token}`, false],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(0, -1)}`, false],
    [`Bearer ${token} extra`, false],
  ])('%p → %p', (header, expected) => {
    expect(verifyBearerToken(header, token)).toBe(expected);
  });
});
