import { Writable } from 'node:stream';

import { describe, expect, it } from '@jest/globals';

import { createLogger } from './create-logger.js';

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      stream.text += chunk.toString('utf8');
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describe('createLogger', () => {
  const key = '693a91f6-7fff-4bc4-97a0-0ec2sifa5aaa';

  it('writes JSON lines with every secret masked, also URL-encoded and in nested fields', async () => {
    const out = sink();
    const secrets = { values: [] as readonly string[] };
    const logger = createLogger({ secrets, destination: out, pretty: false });
    secrets.values = [key, 'a b+c/d=='];
    logger.error(
      {
        url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`,
        nested: { why: `bad ${encodeURIComponent('a b+c/d==')}` },
      },
      `failed for ${key}`,
    );
    logger.info(
      { headers: { 'x-gitee-token': 'plain-password' }, body: { password: 'pw-in-body' } },
      'request',
    );
    await new Promise((r) => setImmediate(r));
    const lines = out.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(out.text).not.toContain(key);
    expect(out.text).not.toContain(encodeURIComponent('a b+c/d=='));
    expect(out.text).not.toContain('plain-password');
    expect(out.text).not.toContain('pw-in-body');
    expect(lines[0]).toMatchObject({ level: 50, msg: 'failed for ***' });
  });

  it('writes human-readable lines when asked, still masked', async () => {
    const out = sink();
    const logger = createLogger({ secrets: { values: [key] }, destination: out, pretty: true });
    logger.warn({ sink: 'team-a' }, `robot said no to ${key}`);
    // pino-pretty writes through a transform stream: wait for the line to come out.
    for (let i = 0; i < 200 && !out.text.includes('\n'); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(out.text).toMatch(/WARN.*robot said no to \*\*\*/);
    expect(out.text).toContain('team-a');
    expect(() => JSON.parse(out.text) as unknown).toThrow();
  });
});
