// A minimal fake WeCom group robot for the bench, run as its own process:
//   node bench/fake-wecom-robot.js [--limit N --window-ms MS]
// POST /cgi-bin/webhook/send?key=K answers HTTP 200 {"errcode":0,"errmsg":"ok"}, or 45009 when
// more than N requests per key arrived within the sliding window (like WeCom's 20/min).
// GET /stats reports what it received: messages, 45009s, the pushes seen (by token or digest
// compare link), and the most requests admitted in any window. Prints `listening PORT` when ready.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { pushesIn } from './support/gitee-push.js';

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '1000000' },
    'window-ms': { type: 'string', default: '1000' },
  },
});
const limit = Number(values.limit);
const windowMs = Number(values['window-ms']);

const admitted = new Map(); // key -> times of admitted requests, inside the window
const stats = {
  limit: { count: limit, windowMs },
  requests: 0,
  messages: 0,
  tooFast: 0, // answered 45009
  badJson: 0,
  pushes: new Map(), // push seq -> when it first arrived
  duplicatePushes: 0,
  // Events carried, as each message says: a digest's header (共 N 条) or one; and when the last came.
  carried: 0,
  carriedAt: [],
  firstAt: undefined,
  lastAt: undefined,
  allAdmittedAt: [],
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/stats') return reply(res, 200, snapshot(url.searchParams));
    if (req.method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send')
      return reply(res, 404, { error: 'not found' });
    stats.requests++;
    const key = url.searchParams.get('key') ?? '';
    const now = Date.now();
    const recent = (admitted.get(key) ?? []).filter((t) => now - t < windowMs);
    if (recent.length >= limit) {
      admitted.set(key, recent);
      stats.tooFast++;
      return reply(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' });
    }
    recent.push(now);
    admitted.set(key, recent);
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      stats.badJson++;
      return reply(res, 200, { errcode: 40058, errmsg: 'wrong json format' });
    }
    stats.messages++;
    stats.firstAt ??= now;
    stats.lastAt = now;
    if (limit < 1000) stats.allAdmittedAt.push(now); // only the burst scenario needs the timeline
    const part = body[String(body.msgtype)];
    const content = typeof part?.content === 'string' ? part.content : JSON.stringify(body);
    const header = /共 (\d+) 条|hookmux: (\d+) events?/.exec(content);
    const count = header ? Number(header[1] ?? header[2]) : 1;
    stats.carried += count;
    stats.carriedAt.push([now, count]);
    for (const seq of pushesIn(content)) {
      if (stats.pushes.has(seq)) stats.duplicatePushes++;
      else stats.pushes.set(seq, now);
    }
    reply(res, 200, { errcode: 0, errmsg: 'ok' });
  });
});

/** The most admitted requests within any window (must never exceed the limit). */
function maxInWindow(times) {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** `?from=A&to=B`: also how many of pushes A..B arrived, and when the last of them did. */
function snapshot(query) {
  const from = Number(query.get('from') ?? NaN);
  const to = Number(query.get('to') ?? NaN);
  let inRange = 0;
  let lastInRangeAt;
  for (let seq = from; seq <= to; seq++) {
    const at = stats.pushes.get(seq);
    if (at === undefined) continue;
    inRange++;
    lastInRangeAt = Math.max(lastInRangeAt ?? at, at);
  }
  return {
    inRange,
    lastInRangeAt,
    limit: stats.limit,
    requests: stats.requests,
    messages: stats.messages,
    tooFast: stats.tooFast,
    badJson: stats.badJson,
    distinctPushes: stats.pushes.size,
    duplicatePushes: stats.duplicatePushes,
    firstAt: stats.firstAt,
    lastAt: stats.lastAt,
    maxInWindow: maxInWindow(stats.allAdmittedAt),
    carried: stats.carried,
    /** When the events carried since `?since=` reached `?count=` (digests group pushes, so they are counted). */
    carriedReachedAt: reachedAt(Number(query.get('since') ?? 0), Number(query.get('count') ?? NaN)),
  };
}

function reachedAt(since, count) {
  let n = 0;
  for (const [at, c] of stats.carriedAt) {
    if (at < since) continue;
    n += c;
    if (n >= count) return at;
  }
  return undefined;
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
