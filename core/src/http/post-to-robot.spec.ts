import { describe, expect, it } from '@jest/globals';

import { classifyTransportFailure } from './post-to-robot.js';

describe('classifyTransportFailure', () => {
  it('tells a timeout, a caller abort and a network error apart, all retryable', () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyTransportFailure(timeout, 'WeCom robot', false)).toEqual({
      ok: false,
      kind: 'retryable',
      code: 'timeout',
      detail: 'the WeCom robot did not answer in time',
    });
    expect(classifyTransportFailure(timeout, 'WeCom robot', true)).toMatchObject({
      kind: 'retryable',
      code: 'aborted',
    });
    expect(classifyTransportFailure(refused, 'Feishu bot', false)).toEqual({
      ok: false,
      kind: 'retryable',
      code: 'ECONNREFUSED',
      detail: 'no answer from the Feishu bot: connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(classifyTransportFailure('weird', 'robot', false)).toMatchObject({
      kind: 'retryable',
      code: 'network',
    });
  });
});
