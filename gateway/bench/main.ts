/**
 * `npm run bench`: the graph measured side by side, in one command. Builds what `npm start` runs,
 * starts it (one process per subgraph and the gateway, compiled), and runs the sections of
 * BENCH_SECTIONS in order:
 *   side-by-side (a)  ours vs plain Apollo Gateway, one core each: req/s and CPU per request
 *   hand-plan    (b)  the listing vs its query plan performed by hand: gateway ms per level
 *   subgraph-cpu (c)  subgraph CPU per 48-product listing, embedded and real Postgres
 *   place-order  (d)  placeOrder p50/p95/p99 at 10, 25 and 50 orders/s, embedded and real Postgres
 *   goodput      (e)  2, 16 and 64 listing clients: complete/partial/refused/failed per second; lanes
 *   stalled           the listing with one subgraph stalled (restarted with FAULT_MODE=delay)
 *   trace-cost        what tracing costs (its own graphs; also `npm run bench:traces`)
 * Each section prints a table; the whole run is appended to bench/results.md (BENCH_RESULTS) with
 * the machine, its load, node and the commit. Options: bench/env.ts.
 */
import { connect } from 'node:net';
import { benchEnv, resultsFile, type Section } from './env.ts';
import { buildBenchServers } from './plain-gateway-process.ts';
import { appendResults, machine, print, type SectionReport } from './report.ts';
import { goodput } from './sections/goodput.ts';
import { handPlan } from './sections/hand-plan.ts';
import { placeOrders } from './sections/place-order.ts';
import { sideBySide } from './sections/side-by-side.ts';
import { stalledSubgraph } from './sections/stalled.ts';
import { subgraphCpu } from './sections/subgraph-cpu.ts';
import { buildServices, killStarted, startStack, type Stack } from './stack.ts';
import { traceCost } from './trace-cost.ts';

/** Our gateway as `npm start` configures it, every edge plugin on, but a rate limit no load here reaches. */
const GATEWAY_ENV = { RATE_LIMIT_POINTS: '1000000000' };

const ON_THE_GRAPH: Partial<Record<Section, (stack: Stack) => Promise<SectionReport>>> = {
  'side-by-side': sideBySide,
  'hand-plan': handPlan,
  'subgraph-cpu': (stack) => subgraphCpu(stack, 'embedded (PGlite)', { databaseServer: false }),
  'place-order': (stack) => placeOrders(stack, 'embedded (PGlite)'),
  goodput: (stack) => goodput(stack, 'embedded (PGlite)'),
  stalled: stalledSubgraph,
};

function answers(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || defaultPort), timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killStarted();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

const sections = benchEnv.BENCH_SECTIONS;
const header = machine();
console.log(`${header}\nsections: ${sections.join(', ')}; ${benchEnv.BENCH_SECONDS} s per run, ${benchEnv.BENCH_ROUNDS} rounds`);
const reports: SectionReport[] = [];
let failed = false;

async function section(name: string, run: () => Promise<SectionReport>): Promise<void> {
  console.log(`\n… ${name}`);
  const started = performance.now();
  try {
    const report = await run();
    report.notes.push(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
    reports.push(report);
    print(report);
  } catch (err) {
    failed = true;
    console.error(err);
    reports.push({ title: name, notes: [`**failed**: ${(err as Error).message.split('\n')[0]}`], tables: [] });
  }
}

const onGraph = sections.filter((s) => ON_THE_GRAPH[s]);
if (onGraph.length > 0) {
  console.log('building (npm run build, and the bench’s plain gateway)…');
  await buildServices();
  await buildBenchServers();
  console.log('starting the graph (embedded: PGlite, in-process Redis stand-ins)…');
  const stack = await startStack({ gatewayEnv: GATEWAY_ENV });
  try {
    for (const name of onGraph) await section(name, () => ON_THE_GRAPH[name]!(stack));
  } finally {
    await stack.stop();
  }
}

const ON_THE_REAL_GRAPH: Partial<Record<Section, (stack: Stack) => Promise<SectionReport>>> = {
  'subgraph-cpu': (stack) => subgraphCpu(stack, 'real Postgres + Redis', { databaseServer: true }),
  'place-order': (stack) => placeOrders(stack, 'real Postgres + Redis'),
  goodput: (stack) => goodput(stack, 'real Postgres + Redis'),
};
const onRealGraph = sections.filter((s) => ON_THE_REAL_GRAPH[s]);
if (onRealGraph.length > 0) {
  const real = { databaseUrl: benchEnv.BENCH_DATABASE_URL, redisUrl: benchEnv.BENCH_REDIS_URL };
  const reachable = (await answers(real.databaseUrl, 5432)) && (await answers(real.redisUrl, 6379));
  if (benchEnv.BENCH_REAL === true || (benchEnv.BENCH_REAL === undefined && reachable)) {
    console.log('starting the graph on Postgres and Redis…');
    const stack = await startStack({ real, gatewayEnv: GATEWAY_ENV });
    try {
      for (const name of onRealGraph) await section(`${name} (real)`, () => ON_THE_REAL_GRAPH[name]!(stack));
    } finally {
      await stack.stop();
    }
  } else {
    const why = benchEnv.BENCH_REAL === false ? 'BENCH_REAL=false' : 'no Postgres or Redis answering at BENCH_DATABASE_URL / BENCH_REDIS_URL';
    reports.push({ title: `${onRealGraph.join(', ')} on real Postgres + Redis`, notes: [`skipped: ${why}`], tables: [] });
  }
}

if (sections.includes('trace-cost')) await section('trace-cost', traceCost);

if (resultsFile) {
  appendResults(resultsFile, header, reports);
  console.log(`\nappended to ${resultsFile}`);
}
process.exitCode = failed ? 1 : 0;
