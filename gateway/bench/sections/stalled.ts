/**
 * The listing under load while one subgraph is stalled (every request to it waits 5 s first:
 * FAULT_MODE=delay, the subgraph restarted with it). Measures, against a healthy baseline on the
 * same graph: listing goodput and latency, which services the partial answers lacked, how fast the gateway's /healthz answers meanwhile
 * (its event loop stays free), and the gateway's memory before, during and after (abandoned
 * subgraph requests must not pile up). The stalled subgraph is restarted healthy afterwards.
 */
import { readFileSync } from 'node:fs';
import { SUBGRAPH_NAMES, type SubgraphName } from '@ecom/platform/env';
import { benchEnv } from '../env.ts';
import { backOff, closedLoop, percentile, postGraphQL, sleep, type Answer } from '../measure.ts';
import { plannedOperations } from '../query-plans.ts';
import { num, table, type SectionReport } from '../report.ts';
import type { Stack } from '../stack.ts';

const STALL_MS = 5_000;

const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
};

async function probeHealth(base: string, stop: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (!stop()) {
    const t = performance.now();
    const res = await fetch(`${base}/healthz`);
    await res.body?.cancel();
    samples.push(performance.now() - t);
    await sleep(100);
  }
  return samples;
}

async function scenario(stack: Stack, stalled: string, listing: string) {
  const seconds = benchEnv.BENCH_SECONDS;
  const gateway = stack.pids.gateway;
  const base = stack.url.replace(/\/graphql$/, '');
  // Each client its own signed-in shopper who comes back after Retry-After, as in (e) goodput.
  const tokens = await Promise.all(Array.from({ length: benchEnv.BENCH_CONNECTIONS }, (_, i) => stack.token(`bench-stalled-${i}`)));
  const missing = new Set<string>();
  const read = async (client: number) => {
    const answer = await postGraphQL(stack.url, listing, { token: tokens[client], field: 'products', timeoutMs: 10_000 });
    if (answer.outcome === 'refused') await backOff(answer);
    for (const error of answer.body?.errors ?? []) missing.add(String(error.extensions?.service ?? error.extensions?.code));
    delete answer.body;
    return answer;
  };
  // Warm: query plans, JIT, last-known values.
  await closedLoop(4, 2, read);
  missing.clear();
  const rssBefore = rssMb(gateway);
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMb(gateway)), 1_000);
  let done = false;
  const health = probeHealth(base, () => done);
  const started = performance.now();
  const answers = await closedLoop(benchEnv.BENCH_CONNECTIONS, seconds, read, { rampMs: 500 });
  const took = (performance.now() - started) / 1000;
  done = true;
  clearInterval(sampler);
  const healthMs = await health;
  // Stalled subgraph requests still in flight end within their 5 s; memory after that shows
  // whether anything was kept.
  await sleep(STALL_MS + 1_000);
  const rssAfter = rssMb(gateway);
  const per = (outcome: Answer['outcome']) => answers.filter((a) => a.outcome === outcome).length / took;
  const admitted = answers.filter((a) => a.outcome === 'complete' || a.outcome === 'partial').map((a) => a.ms);
  return {
    stalled,
    complete: per('complete'),
    partial: per('partial'),
    refused: per('refused'),
    failed: per('failed'),
    missing: [...missing].sort().join(', ') || '–',
    listingP50: percentile(admitted, 50),
    listingP99: percentile(admitted, 99),
    listingMax: Math.max(...admitted),
    healthzP50: percentile(healthMs, 50),
    healthzP99: percentile(healthMs, 99),
    healthzMax: Math.max(...healthMs),
    rssBefore,
    rssPeak: Math.max(rssBefore, ...rss),
    rssAfter,
  };
}

export async function stalledSubgraph(stack: Stack): Promise<SectionReport> {
  const stalledName = benchEnv.BENCH_STALLED as SubgraphName;
  if (!SUBGRAPH_NAMES.includes(stalledName)) throw new Error(`BENCH_STALLED: no subgraph ${stalledName}`);
  const listing = JSON.stringify({ query: plannedOperations().find((p) => p.name === 'CategoryListing')!.body, variables: { first: 48 } });
  const healthy = await scenario(stack, 'none', listing);
  await stack.restart(stalledName, { FAULT_MODE: 'delay', FAULT_DELAY_MS: String(STALL_MS) });
  let degraded;
  try {
    degraded = await scenario(stack, stalledName, listing);
  } finally {
    await stack.restart(stalledName, {});
  }
  const rows = [healthy, degraded].map((r) => [
    r.stalled === 'none' ? 'healthy' : `${r.stalled} stalled`,
    `${num(r.complete)} / ${num(r.partial)} / ${num(r.refused)} / ${num(r.failed)}`,
    num(r.listingP50, 0),
    num(r.listingP99, 0),
    num(r.listingMax, 0),
    r.missing,
    `${num(r.healthzP50)} / ${num(r.healthzP99)} / ${num(r.healthzMax)}`,
    `${num(r.rssBefore, 0)} / ${num(r.rssPeak, 0)} / ${num(r.rssAfter, 0)}`,
  ]);
  return {
    title: `Stalled subgraph (${stalledName} answers after ${STALL_MS / 1000} s)`,
    notes: [
      `CategoryListing(first: 48), ${benchEnv.BENCH_SECONDS} s × ${benchEnv.BENCH_CONNECTIONS} closed-loop clients (each its own user, arriving over the first 500 ms, back after Retry-After plus up to half of it) per scenario ` +
        `on the compiled graph (${stalledName} restarted with FAULT_MODE=delay); the gateway's /healthz probed every 100 ms meanwhile; RSS of the gateway process. ` +
        'Latency of admitted (complete + partial) answers; “errors from”: the services (else codes) the answers’ errors named.',
      `Stalled ÷ healthy: listing p99 ${num(degraded.listingP99 / healthy.listingP99)}×, healthz p99 ${num(degraded.healthzP99 / healthy.healthzP99)}×, ` +
        `RSS growth ${num(degraded.rssAfter - degraded.rssBefore)} MB vs ${num(healthy.rssAfter - healthy.rssBefore)} MB.`,
    ],
    tables: [
      table(
        [
          'scenario',
          'complete / partial / refused / failed per s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'errors from',
          'healthz p50 / p99 / max ms',
          'RSS MB before / peak / after',
        ],
        rows,
      ),
    ],
  };
}
