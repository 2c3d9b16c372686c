/**
 * `npm run bench`: the listing under load while one subgraph is stalled (5 s per request).
 * Measures, against a healthy baseline on the same machine: listing throughput and latency, how
 * fast /healthz answers meanwhile (the event loop stays free), and the graph process's memory
 * before, during and after (abandoned subgraph requests must not pile up).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { operation } from '../test/support/operations.ts';
import { benchEnv, graphProcessEnv } from './env.ts';

const SECONDS = benchEnv.BENCH_SECONDS;
const CONNECTIONS = benchEnv.BENCH_CONNECTIONS;
const LISTING = JSON.stringify({ query: operation('web/CategoryListing'), variables: { first: 48 } });

interface Started {
  child: ChildProcess;
  url: string;
}

function startGraphProcess(stalled: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./graph-process.ts', import.meta.url).pathname, stalled], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: graphProcessEnv(),
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /READY (\S+)/.exec(buffered);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`graph process exited with ${code}`)));
  });
}

const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function probeHealth(base: string, stop: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (!stop()) {
    const t = performance.now();
    await fetch(`${base}/healthz`);
    samples.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  return samples.sort((a, b) => a - b);
}

async function scenario(stalled: string) {
  const { child, url } = await startGraphProcess(stalled);
  const base = url.replace(/\/graphql$/, '');
  try {
    // Warm: query plans, JIT, last-known values.
    await autocannon({ url, method: 'POST', body: LISTING, headers: { 'content-type': 'application/json' }, amount: 50, connections: 4 });
    const rssBefore = rssMb(child.pid!);
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMb(child.pid!)), 1_000);
    let done = false;
    const health = probeHealth(base, () => done);
    const load = await autocannon({
      url,
      method: 'POST',
      body: LISTING,
      headers: { 'content-type': 'application/json' },
      connections: CONNECTIONS,
      duration: SECONDS,
    });
    done = true;
    clearInterval(sampler);
    const healthMs = await health;
    // Stalled subgraph requests still in flight end within their 5 s; memory after that shows
    // whether anything was kept.
    await new Promise((r) => setTimeout(r, 6_000));
    const rssAfter = rssMb(child.pid!);
    return {
      stalled,
      requests: load.requests.total,
      rps: load.requests.average,
      non2xx: load.non2xx,
      errors: load.errors,
      timeouts: load.timeouts,
      listingP50: load.latency.p50,
      listingP99: load.latency.p99,
      listingMax: load.latency.max,
      healthzP50: percentile(healthMs, 50),
      healthzP99: percentile(healthMs, 99),
      healthzMax: healthMs.at(-1) ?? NaN,
      rssBefore,
      rssPeak: Math.max(...rss),
      rssAfter,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const stalledName = benchEnv.BENCH_STALLED;
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${SECONDS}s × ${CONNECTIONS} connections per scenario`,
);
const healthy = await scenario('none');
const degraded = await scenario(stalledName);
const rows = [healthy, degraded];
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
console.log('\nscenario       req/s   p50 ms  p99 ms  max ms  non2xx  healthz p50/p99/max ms   rss MB before/peak/after');
for (const r of rows) {
  console.log(
    `${(r.stalled === 'none' ? 'healthy' : `${r.stalled} stalled`).padEnd(14)} ${fmt(r.rps).padStart(6)} ${fmt(r.listingP50).padStart(8)} ${fmt(r.listingP99).padStart(7)} ${fmt(r.listingMax).padStart(7)} ${String(r.non2xx).padStart(7)}   ${fmt(r.healthzP50)}/${fmt(r.healthzP99)}/${fmt(r.healthzMax)}`.padEnd(
      88,
    ) + `${fmt(r.rssBefore)}/${fmt(r.rssPeak)}/${fmt(r.rssAfter)}`,
  );
}
console.log(
  `\nratios (stalled / healthy): listing p99 ${fmt(degraded.listingP99 / healthy.listingP99)}×, healthz p99 ${fmt(degraded.healthzP99 / healthy.healthzP99)}×, rss growth ${fmt(degraded.rssAfter - degraded.rssBefore)} MB vs ${fmt(healthy.rssAfter - healthy.rssBefore)} MB`,
);
