// `npm run bench`: hookmux's ingest path against a bare node:http server that verifies the Gitee
// token and parses the body, in the same run; hookmux's idle and peak RSS; and the burst scenario
// against a rate-limited fake WeCom robot. Writes bench/results/latest.json and prints a table.
// See BENCHMARKS.md for what is measured and the committed figures.
//
// Adding a scenario: put it in its own file next to this one, build it from ./support/*.js
// (signed pushes, hookmux and helper processes, memory readings), and call it from the
// `scenarios` list at the bottom with its own `--only` name.
//
//   node bench/run.js [--storage sqlite|redis] [--redis-url redis://127.0.0.1:6379/0]
//                     [--connections 50] [--duration 10] [--warmup 2] [--rounds 2]
//                     [--burst 200] [--burst-limit 5/2000] [--only ingest|burst] [--profile]
//                     [--node-args='--trace-gc']
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';

import { pushFactory } from './support/gitee-push.js';
import {
  freePort,
  hookmuxMain,
  memoryOf,
  repoRoot,
  spawnHookmux,
  spawnListening,
} from './support/processes.js';
import { printProfile, summariseProfile } from './profile-summary.js';

const { values: opts } = parseArgs({
  options: {
    storage: { type: 'string', default: 'sqlite' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/0' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    burst: { type: 'string', default: '200' },
    'burst-limit': { type: 'string', default: '5/2000' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    // Extra node flags for the hookmux process, e.g. --node-args=--trace-gc (its output goes to bench/results/).
    'node-args': { type: 'string', default: '' },
  },
});
const connections = Number(opts.connections);
const duration = Number(opts.duration);
const warmup = Number(opts.warmup);
const [burstCount, burstWindowMs] = opts['burst-limit'].split('/').map(Number);
const secret = 'bench-signing-key-0123456789';
const resultsDir = join(repoRoot, 'bench', 'results');
const bar = { ratio: 0.3, p99Ms: 30, peakRssMb: 150, idleRssMb: 80 };
/** How long hookmux sits idle after start before its idle RSS is read, ms. */
const idleSettleMs = 5000;

/** Every request in every run is a distinct, freshly signed push. */
const pushes = pushFactory({ secret });
const failures = [];

if (!existsSync(hookmuxMain)) {
  console.error(`${hookmuxMain} is missing: run \`npm run build\` first (npm run bench does)`);
  process.exit(1);
}
mkdirSync(resultsDir, { recursive: true });

let redisRuns = 0;

function storageYaml() {
  if (opts.storage === 'sqlite') return '{ type: sqlite, path: ./bench.db }';
  if (opts.storage === 'memory') return '{ type: memory }';
  // A fresh prefix per hookmux process: the burst must not inherit the ingest run's backlog.
  if (opts.storage === 'redis')
    return `{ type: redis, url: "${opts['redis-url']}", prefix: "bench-${process.pid}-${++redisRuns}" }`;
  throw new Error(`--storage must be sqlite or redis, not ${opts.storage}`);
}

/** One gitee source, one WeCom sink named `sink` (robot key the same), every push routed to it. */
function hookmuxYaml(port, robotUrl, rateLimit, sink) {
  return `server: { host: 127.0.0.1, port: ${port} }
storage: ${storageYaml()}
log: { level: warn }
sources:
  gitee: { secret: "${secret}" }
sinks:
  ${sink}: { type: wecom, webhook: "${robotUrl}/cgi-bin/webhook/send?key=${sink}", format: markdown, rateLimit: ${rateLimit} }
routes:
  - when: { source: gitee, event: push }
    to: [${sink}]
`;
}

/** autocannon at `connections` for `seconds`; each request a new signed push. */
async function load(url, seconds) {
  const result = await autocannon({
    url: `${url}/webhooks/gitee`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest(req) {
          const push = pushes.next();
          return { ...req, method: 'POST', path: '/webhooks/gitee', headers: push.headers, body: push.body };
        },
      },
    ],
  });
  return {
    reqPerSec: Math.round(result.requests.average),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
  };
}

function check(label, run) {
  if (run.non2xx > 0 || run.errors > 0 || run.timeouts > 0) {
    failures.push(
      `${label}: ${run.non2xx} non-2xx (${JSON.stringify(run.statusCodes)}), ${run.errors} errors, ${run.timeouts} timeouts`,
    );
  }
}

async function benchBare(round) {
  const server = await spawnListening('bare-server.js', [], { BENCH_SECRET: secret });
  try {
    check(`bare warm-up ${round}`, await load(server.url, warmup));
    const run = await load(server.url, duration);
    check(`bare round ${round}`, run);
    return { ...run, peakRssMb: round1(memoryOf(server.child.pid).peakRssMb) };
  } finally {
    await server.stop();
  }
}

async function benchHookmux(round) {
  const robot = await spawnListening('fake-wecom-robot.js');
  const profileDir = join(resultsDir, 'profiles');
  const nodeArgs = [
    ...opts['node-args'].split(' ').filter(Boolean),
    ...(opts.profile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=hookmux-${opts.storage}-round${round}.cpuprofile`,
        ]
      : []),
  ];
  // 20/min, WeCom's own limit: the dispatcher drains (and digests) while the load runs, as in production.
  const hookmux = await spawnHookmux({
    yaml: hookmuxYaml(await freePort(), robot.url, process.env.BENCH_INGEST_LIMIT ?? '20/min', 'ingest'),
    nodeArgs,
  });
  let run;
  let accepted = 0;
  let idleRssMb;
  try {
    // Idle: started, nothing received yet (render threads start lazily, on the first send).
    await new Promise((r) => setTimeout(r, idleSettleMs));
    idleRssMb = round1(memoryOf(hookmux.child.pid).rssMb);
    const warm = await load(hookmux.url, warmup);
    check(`hookmux warm-up ${round}`, warm);
    run = await load(hookmux.url, duration);
    check(`hookmux round ${round}`, run);
    accepted = warm.ok + run.ok;
    run.peakRssMb = round1(memoryOf(hookmux.child.pid).peakRssMb);
    run.idleRssMb = idleRssMb;
  } finally {
    const code = await hookmux.stop();
    await robot.stop();
    writeFileSync(join(resultsDir, `hookmux-${opts.storage}-round${round}.log`), hookmux.output());
    if (code !== 0) failures.push(`hookmux round ${round} exited with ${code}:\n${hookmux.output()}`);
  }
  if (opts.storage === 'sqlite') {
    // Distinct events, really: the outbox holds one row per accepted request (duplicates would add none).
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(hookmux.dir, 'bench.db'), { readonly: true });
    run.outboxRows = db.prepare('SELECT COUNT(*) AS n FROM deliveries').get().n;
    db.close();
    // Requests still in flight when autocannon stops (one per connection per run) are not counted
    // as answered, yet hookmux queues them: at most 2 × connections more rows than 2xx answers.
    if (run.outboxRows < accepted || run.outboxRows > accepted + 2 * connections)
      failures.push(
        `hookmux round ${round}: ${accepted} requests answered 2xx but ${run.outboxRows} outbox rows`,
      );
  }
  rmSync(hookmux.dir, { recursive: true, force: true });
  if (opts.profile) {
    const file = join(profileDir, `hookmux-${opts.storage}-round${round}.cpuprofile`);
    if (existsSync(file)) run.profile = summariseProfile(file);
  }
  return run;
}

async function benchBurst() {
  const robot = await spawnListening('fake-wecom-robot.js', [
    '--limit',
    String(burstCount),
    '--window-ms',
    String(burstWindowMs),
  ]);
  const rate = `${burstCount}/${burstWindowMs / 1000}s`;
  const hookmux = await spawnHookmux({ yaml: hookmuxYaml(await freePort(), robot.url, rate, 'burst') });
  let range = '';
  const stats = async () => (await fetch(`${robot.url}/stats${range}`)).json();
  try {
    const burst = Array.from({ length: Number(opts.burst) }, () => pushes.next());
    // Counted by push number, so a backlog left in a shared store (Redis) by an earlier run cannot count.
    const t0 = Date.now();
    // Digests group pushes (one compare link per branch): events are counted by what each message
    // says it carries, from the burst's start (a fresh robot process per burst).
    range = `?from=${burst[0].seq}&to=${burst.at(-1).seq}&since=${t0}&count=${burst.length}`;
    const statuses = [];
    let next = 0;
    // 20 senders at once, as fast as hookmux answers.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < burst.length) {
          const push = burst[next++];
          const r = await fetch(`${hookmux.url}/webhooks/gitee`, {
            method: 'POST',
            headers: push.headers,
            body: push.body,
          });
          await r.arrayBuffer();
          statuses.push(r.status);
        }
      }),
    );
    const acceptedMs = Date.now() - t0;
    const refused = statuses.filter((s) => s !== 200).length;
    if (refused > 0) failures.push(`burst: ${refused} of ${burst.length} pushes not answered 200`);
    const deadline = t0 + 180_000;
    let s = await stats();
    while (s.carriedReachedAt === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      s = await stats();
    }
    const allArrivedMs = s.carriedReachedAt === undefined ? undefined : s.carriedReachedAt - t0;
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice, late?
    s = await stats();
    const result = {
      events: burst.length,
      robotLimit: rate,
      acceptedMs,
      allArrivedMs,
      eventsArrived: s.carried,
      eventsRecognisedByToken: s.inRange,
      messages: s.messages,
      tooFast45009: s.tooFast,
      maxInWindow: s.maxInWindow,
      duplicatePushes: s.duplicatePushes,
      peakRssMb: round1(memoryOf(hookmux.child.pid).peakRssMb),
    };
    if (allArrivedMs === undefined)
      failures.push(`burst: only ${s.carried} of ${burst.length} events arrived within 180 s`);
    if (s.carried > burst.length)
      failures.push(`burst: ${s.carried} events carried for ${burst.length} pushes (sent twice?)`);
    if (s.tooFast > 0) failures.push(`burst: the robot answered 45009 ${s.tooFast} times`);
    if (s.maxInWindow > burstCount)
      failures.push(`burst: ${s.maxInWindow} messages within one ${burstWindowMs} ms window`);
    return result;
  } finally {
    await hookmux.stop();
    await robot.stop();
    rmSync(hookmux.dir, { recursive: true, force: true });
  }
}

function machine() {
  const sh = (cmd) => {
    try {
      return execSync(cmd, { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    nproc: Number(sh('nproc')) || cpus().length,
    cpu: cpus()[0]?.model,
    memTotalGb: round1(totalmem() / 2 ** 30),
    freeH: sh('free -h'),
    node: process.version,
    commit: sh(`git -C "${repoRoot}" rev-parse --short HEAD`),
    // Uncommitted changes to the code under test (other work in the same tree) make a run less comparable.
    uncommittedFiles: Number(sh(`git -C "${repoRoot}" status --porcelain -- core plugins | wc -l`)),
  };
}

const round1 = (x) => Math.round(x * 10) / 10;

// ── main ───────────────────────────────────────────────────────────────────────────────────
const results = {
  date: new Date().toISOString(),
  command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
  machine: machine(),
  settings: {
    storage: opts.storage,
    connections,
    durationS: duration,
    warmupS: warmup,
    bodyBytes: pushes.bytes,
    bar,
  },
  rounds: [],
  burst: undefined,
};
console.log(
  `hookmux bench: ${results.machine.nproc} cores, ${results.machine.cpu}, Node ${process.version}, storage ${opts.storage}`,
);
console.log(
  `  signed push of ${pushes.bytes} bytes, ${connections} connections, ${warmup} s warm-up + ${duration} s per run`,
);

if (opts.only !== 'burst') {
  for (let round = 1; round <= Number(opts.rounds); round++) {
    console.log(`round ${round}: bare node:http ...`);
    const bare = await benchBare(round);
    console.log(`round ${round}: hookmux (${opts.storage}) ...`);
    const hookmux = await benchHookmux(round);
    results.rounds.push({
      round,
      bare,
      hookmux,
      ratio: Math.round((100 * hookmux.reqPerSec) / bare.reqPerSec) / 100,
    });
  }
}
if (opts.only !== 'ingest') {
  console.log(
    `burst: ${opts.burst} pushes to one robot limited to ${burstCount} per ${burstWindowMs} ms ...`,
  );
  results.burst = await benchBurst();
}
results.failures = failures;
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);

// ── table ──────────────────────────────────────────────────────────────────────────────────
const mark = (ok) => (ok ? 'ok ' : 'MISS');
if (results.rounds.length > 0) {
  console.log(
    '\ningest (req/s mean; latency ms)        req/s    p50    p99    max  peak RSS MB  idle RSS MB',
  );
  for (const { round, bare, hookmux, ratio } of results.rounds) {
    const row = (name, r) =>
      `  ${name.padEnd(36)} ${String(r.reqPerSec).padStart(6)} ${String(r.p50Ms).padStart(6)} ${String(r.p99Ms).padStart(6)} ${String(r.maxMs).padStart(6)} ${String(r.peakRssMb).padStart(12)} ${String(r.idleRssMb ?? '').padStart(12)}`;
    console.log(row(`round ${round} bare node:http`, bare));
    console.log(row(`round ${round} hookmux (${opts.storage})`, hookmux));
    console.log(
      `  round ${round} ratio ${ratio} [${mark(ratio >= bar.ratio)}>= ${bar.ratio}]  p99 [${mark(hookmux.p99Ms < bar.p99Ms)}< ${bar.p99Ms} ms]  RSS [${mark(hookmux.peakRssMb < bar.peakRssMb)}< ${bar.peakRssMb} MB]  idle [${mark(hookmux.idleRssMb < bar.idleRssMb)}< ${bar.idleRssMb} MB]` +
        (hookmux.outboxRows === undefined ? '' : `  outbox rows ${hookmux.outboxRows}`),
    );
    if (hookmux.profile) printProfile(hookmux.profile, (l) => console.log(`  ${l}`));
  }
}
if (results.burst) {
  const b = results.burst;
  console.log(
    `\nburst: ${b.events} events, robot limit ${b.robotLimit} (45009 over it), sink rateLimit the same`,
  );
  console.log(`  all accepted (HTTP 200) after      ${b.acceptedMs} ms`);
  console.log(`  every event at the robot after     ${b.allArrivedMs ?? 'NEVER'} ms`);
  console.log(`  robot messages (digests)           ${b.messages}  (max ${b.maxInWindow} in any window)`);
  console.log(`  45009 answers                      ${b.tooFast45009}`);
  console.log(`  events seen twice                  ${b.duplicatePushes}`);
}
console.log(`\nwrote ${join('bench', 'results', 'latest.json')}`);
if (failures.length > 0) {
  console.error(
    `\nBENCH FAILED (the figures above do not measure what they claim):\n- ${failures.join('\n- ')}`,
  );
  process.exit(1);
}
