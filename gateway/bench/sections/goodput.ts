/**
 * (e) Goodput under load (issue 10): closed-loop listing clients, each its own user, at 2, 16 and 64
 * clients. Every answer is complete, partial (the listing with typed errors), refused (429, or 503
 * OVERLOADED: turned away at once, retryable) or failed (anything else: `products` null, another
 * status, a timeout). Then the lane check: while 64 listing clients saturate the gateway, placeOrder
 * at a steady 5/s must still go through.
 */
import { randomUUID } from 'node:crypto';
import { benchEnv } from '../env.ts';
import { backOff, closedLoop, openLoop, percentile, postGraphQL, sleep, type Answer } from '../measure.ts';
import { plannedOperations } from '../query-plans.ts';
import { num, table, type SectionReport } from '../report.ts';
import { kindOf, placed, placeOrder, shoppersWithCarts, stockFor } from '../shoppers.ts';
import { supervisorEnv, type Stack } from '../stack.ts';

export const CLIENT_COUNTS = [2, 16, 64];
const LANE_ORDERS_PER_SECOND = 5;
/** The clients of a run arrive over this long (closedLoop). */
const RAMP_MS = 500;
/** Longer than any deadline of the gateway: an answer this late is a failure of its own. */
const CLIENT_TIMEOUT_MS = 10_000;

const metricsOf = (metricsUrl: string) =>
  fetch(metricsUrl)
    .then((r) => r.text())
    .catch(() => '');

/**
 * Cumulative counts per bucket bound (seconds) of the gateway's own request-duration histogram for
 * its OVERLOADED refusals, summed over operations: from the handler to the answer, without the
 * client's or the network's share.
 */
function overloadedBuckets(metrics: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const m of metrics.matchAll(/^graph_gateway_request_duration_seconds_bucket\{([^}]*)\} (\d+)$/gm)) {
    const le = /le="([^"]+)"/.exec(m[1]!)?.[1];
    if (!m[1]!.includes('result="OVERLOADED"') || le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** The smallest bucket bound, in ms, under which 99 % of the refusals counted between two readings fell. */
function p99Bound(before: Map<number, number>, after: Map<number, number>): string {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return '–';
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const bound = bounds.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= 0.99 * total)!;
  return Number.isFinite(bound) ? `≤ ${Math.round(bound * 1000)}` : `> ${Math.round(bounds.at(-2)! * 1000)}`;
}

/**
 * Runs `during` while reading the gateway's /metrics: its concurrency limit every 250 ms, and its
 * refusal-duration histogram before and after.
 */
async function observeGateway<T>(metricsUrl: string, during: () => Promise<T>): Promise<{ result: T; limits: number[]; gatewayRefusalP99: string }> {
  const before = overloadedBuckets(await metricsOf(metricsUrl));
  const limits: number[] = [];
  let done = false;
  const running = during();
  const sampler = (async () => {
    while (!done) {
      const limit = /^graph_gateway_concurrency_limit (\S+)$/m.exec(await metricsOf(metricsUrl));
      if (limit) limits.push(Number(limit[1]));
      await sleep(250);
    }
  })();
  try {
    const result = await running;
    return { result, limits, gatewayRefusalP99: p99Bound(before, overloadedBuckets(await metricsOf(metricsUrl))) };
  } finally {
    done = true;
    await sampler;
  }
}

function goodputRow(label: string, answers: Answer[], seconds: number, limits: number[], gatewayRefusalP99: string) {
  const of = (o: Answer['outcome']) => answers.filter((a) => a.outcome === o);
  const admitted = answers.filter((a) => a.outcome === 'complete' || a.outcome === 'partial').map((a) => a.ms);
  const refusalMs = of('refused').map((a) => a.ms);
  const failures = new Map<string, number>();
  for (const a of of('failed')) failures.set(a.code ?? '?', (failures.get(a.code ?? '?') ?? 0) + 1);
  return [
    label,
    num(of('complete').length / seconds),
    num(of('partial').length / seconds),
    num(of('refused').length / seconds),
    num(of('failed').length / seconds),
    num(percentile(admitted, 50), 0),
    num(percentile(admitted, 99), 0),
    num(percentile(refusalMs, 99), 0),
    gatewayRefusalP99,
    limits.length > 0 ? `${percentile(limits, 10)}–${percentile(limits, 90)}` : '?',
    [...failures]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || '–',
  ];
}

export async function goodput(stack: Stack, label: string): Promise<SectionReport> {
  const seconds = benchEnv.BENCH_SECONDS;
  const listing = plannedOperations().find((p) => p.name === 'CategoryListing')!;
  const body = JSON.stringify({ query: listing.body, variables: { first: 48 } });
  const maxClients = Math.max(...CLIENT_COUNTS);
  const tokens = await Promise.all(Array.from({ length: maxClients }, (_, i) => stack.token(`bench-reader-${i}-${randomUUID().slice(0, 8)}`)));
  // A refused shopper comes back after Retry-After, as the contract asks of clients, instead of hammering.
  const read = async (client: number) => {
    const answer = await postGraphQL(stack.url, body, { token: tokens[client], field: 'products', timeoutMs: CLIENT_TIMEOUT_MS });
    if (answer.outcome === 'refused') await backOff(answer);
    // Hundreds of parsed listings kept to the end made this process's GC pauses part of every latency.
    delete answer.body;
    return answer;
  };

  // The lane check's carts, made first, while the gateway is quiet: setup is not what is measured.
  const orders = Math.round(LANE_ORDERS_PER_SECOND * seconds);
  await stockFor(stack, orders);
  const shoppers = await shoppersWithCarts(stack, orders, 'lane');
  await closedLoop(2, 2, read); // warm
  const rows = [];
  for (const clients of CLIENT_COUNTS) {
    const started = performance.now();
    const {
      result: answers,
      limits,
      gatewayRefusalP99,
    } = await observeGateway(stack.metricsUrl, () => closedLoop(clients, seconds, read, { rampMs: RAMP_MS }));
    const took = (performance.now() - started) / 1000;
    rows.push(goodputRow(`${clients} clients`, answers, took, limits, gatewayRefusalP99));
    console.log(`  ${clients} clients: ${rows.at(-1)!.slice(1, 5).join(' / ')} complete/partial/refused/failed per s`);
    await sleep(3_000); // queues drain, breakers settle
  }

  // The lane check: reads at full tilt, checkouts at a steady rate beside them.
  const started = performance.now();
  const [{ result: readAnswers, limits, gatewayRefusalP99 }, checkout] = await Promise.all([
    observeGateway(stack.metricsUrl, () => closedLoop(maxClients, seconds, read, { rampMs: RAMP_MS })),
    // Starts a beat after the reads, so every order meets a saturated gateway.
    sleep(500).then(() => openLoop(LANE_ORDERS_PER_SECOND, orders, (i) => placeOrder(stack, shoppers[i]!))),
  ]);
  const took = (performance.now() - started) / 1000;
  const ok = checkout.answers.filter((a) => placed(a.result));
  const okMs = ok.map((a) => a.ms);
  const notPlaced = new Map<string, number>();
  for (const a of checkout.answers) if (!placed(a.result)) notPlaced.set(kindOf(a.result), (notPlaced.get(kindOf(a.result)) ?? 0) + 1);
  rows.push(goodputRow(`${maxClients} clients + checkouts`, readAnswers, took, limits, gatewayRefusalP99));

  return {
    title: `(e) Goodput: closed-loop listing clients, ${label}`,
    notes: [
      `CategoryListing(first: 48), each client its own user, ${seconds} s per client count (the clients arriving over the first ${RAMP_MS} ms), client timeout ${CLIENT_TIMEOUT_MS / 1000} s; a refused client comes back after Retry-After plus up to half of it at random. ` +
        'Per second: complete, partial (typed errors beside the listing), refused (429 or 503 OVERLOADED), failed (anything else). ' +
        'Latency percentiles of admitted (complete + partial) answers; p99 of refusals, as the client saw them and within the gateway (its own histogram, handler to answer: the bucket bound under which 99 % fell); the concurrency limit (p10–p90 of 4 readings a second). ' +
        `Subgraphs at nice ${supervisorEnv('product').CPU_NICE ?? 0}, as \`npm start\` runs them.`,
      `Lane check, ${maxClients} listing clients with placeOrder at ${LANE_ORDERS_PER_SECOND}/s beside them: ` +
        `**${ok.length}/${orders} orders placed**, p99 **${num(percentile(okMs, 99), 0)} ms** (p50 ${num(percentile(okMs, 50), 0)} ms)` +
        (notPlaced.size > 0 ? `; not placed: ${[...notPlaced].map(([k, n]) => `${k} ${n}`).join(', ')}` : '') +
        '.',
    ],
    tables: [
      table(
        ['load', 'complete/s', 'partial/s', 'refused/s', 'failed/s', 'p50 ms', 'p99 ms', 'refusal p99 ms', 'in the gateway', 'limit', 'failures'],
        rows,
      ),
    ],
  };
}
