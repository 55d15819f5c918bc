import { describe, expect, it } from '@jest/globals';

import { satisfiesCoreRange } from './plugin-manifest.js';

describe('satisfiesCoreRange (npm semver semantics)', () => {
  it.each([
    ['0.1.0', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.1.5', '~0.1.2', true],
    ['0.2.0', '~0.1.2', false],
    ['0.1.0', '<0.2.0', true],
    ['0.2.0', '<0.2.0', false],
    ['1.3.0', '^0.1.0 || ^1.0.0', true],
    ['2.0.0', '^0.1.0 || ^1.0.0', false],
    ['0.1.0', '>=0.1.0 <0.3.0', true],
    ['0.1.0', '0.1.0', true],
    ['0.1.1', '0.1.0', false],
    ['0.2.0-rc.1', '>=0.1.0', true],
  ])('%s in %s → %s', (version, range, expected) => {
    expect(satisfiesCoreRange(version, range)).toBe(expected);
  });

  it('refuses a range it cannot read instead of waving it through', () => {
    expect(satisfiesCoreRange('0.1.0', 'latest-and-greatest')).toBe(false);
  });
});
