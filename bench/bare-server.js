// The baseline: a plain node:http server that verifies the Gitee token (signature mode, the same
// HMAC hookmux checks) and parses the JSON body, and nothing else (no routing, storage or
// answer shaping). `BENCH_SECRET` is the signing key. Prints `listening PORT`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.BENCH_SECRET ?? '';

function verified(req) {
  const token = String(req.headers['x-gitee-token'] ?? '');
  const timestamp = String(req.headers['x-gitee-timestamp'] ?? '');
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest();
  const given = Buffer.from(token, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (!verified(req)) {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"ok":false}');
      return;
    }
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ ok: true, ref: body.ref }));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"ok":false}');
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
