import { describe, expect, it } from '@jest/globals';

import { defineErrorCodes, describeErrorCode, registeredErrorCodes } from './error-codes.js';
import { HookmuxError } from './hookmux-error.js';

describe('plugin error codes (defineErrorCodes)', () => {
  it('registers codes under the plugin prefix; HookmuxError takes them with their status', () => {
    const codes = defineErrorCodes('DEMO', {
      HM_ERR_DEMO_CHANNEL: { status: 500, message: 'the demo channel does not exist' },
      HM_ERR_DEMO_BAD_INPUT: { status: 400, message: 'the demo input is wrong' },
    });
    const error = new HookmuxError(codes.HM_ERR_DEMO_BAD_INPUT, undefined, { hint: 'send less' });
    expect([error.code, error.status, error.message, error.expose]).toEqual([
      'HM_ERR_DEMO_BAD_INPUT',
      400,
      'the demo input is wrong',
      true,
    ]);
    expect(error.describe()).toBe('the demo input is wrong (send less) [HM_ERR_DEMO_BAD_INPUT]');
    expect(registeredErrorCodes().get('HM_ERR_DEMO_CHANNEL')).toMatchObject({ prefix: 'DEMO', status: 500 });
    expect(describeErrorCode('HM_ERR_CFG_INVALID')?.status).toBe(500);
  });

  it('refuses core prefixes, codes outside the prefix, and a code redefined with another meaning', () => {
    expect(() => defineErrorCodes('CFG', { HM_ERR_CFG_MINE: { status: 500, message: 'x' } })).toThrow(
      /belongs to @hookmux\/core/,
    );
    expect(() => defineErrorCodes('DEMO', { HM_ERR_OTHER_X: { status: 500, message: 'x' } })).toThrow(
      /must look like HM_ERR_DEMO_NAME/,
    );
    expect(() => defineErrorCodes('demo', {})).toThrow(/A-Z/);
    defineErrorCodes('TWICE', { HM_ERR_TWICE_A: { status: 500, message: 'a' } });
    expect(() => defineErrorCodes('TWICE', { HM_ERR_TWICE_A: { status: 500, message: 'a' } })).not.toThrow();
    expect(() => defineErrorCodes('TWICE', { HM_ERR_TWICE_A: { status: 502, message: 'b' } })).toThrow(
      /another meaning/,
    );
  });

  it('fails loudly where an unregistered code is raised', () => {
    const fake = 'HM_ERR_NOPE_X' as Parameters<typeof describeErrorCode>[0];
    expect(() => new HookmuxError(fake as never)).toThrow(/not a registered error code/);
  });
});
