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

/** The gateway's concurrency limit, read from /metrics every 250 ms while `during` runs. */
async function sampleLimit<T>(metricsUrl: string, during: Promise<T>): Promise<{ result: T; limits: number[] }> {
  const limits: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const text = await fetch(metricsUrl)
        .then((r) => r.text())
        .catch(() => '');
      const limit = /^graph_gateway_concurrency_limit (\S+)$/m.exec(text);
      if (limit) limits.push(Number(limit[1]));
      await sleep(250);
    }
  })();
  try {
    return { result: await during, limits };
  } finally {
    done = true;
    await sampler;
  }
}

function goodputRow(label: string, answers: Answer[], seconds: number, limits: number[]) {
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
    const { result: answers, limits } = await sampleLimit(stack.metricsUrl, closedLoop(clients, seconds, read, { rampMs: RAMP_MS }));
    const took = (performance.now() - started) / 1000;
    rows.push(goodputRow(`${clients} clients`, answers, took, limits));
    console.log(`  ${clients} clients: ${rows.at(-1)!.slice(1, 5).join(' / ')} complete/partial/refused/failed per s`);
    await sleep(3_000); // queues drain, breakers settle
  }

  // The lane check: reads at full tilt, checkouts at a steady rate beside them.
  const started = performance.now();
  const [{ result: readAnswers, limits }, checkout] = await Promise.all([
    sampleLimit(stack.metricsUrl, closedLoop(maxClients, seconds, read, { rampMs: RAMP_MS })),
    // Starts a beat after the reads, so every order meets a saturated gateway.
    sleep(500).then(() => openLoop(LANE_ORDERS_PER_SECOND, orders, (i) => placeOrder(stack, shoppers[i]!))),
  ]);
  const took = (performance.now() - started) / 1000;
  const ok = checkout.answers.filter((a) => placed(a.result));
  const okMs = ok.map((a) => a.ms);
  const notPlaced = new Map<string, number>();
  for (const a of checkout.answers) if (!placed(a.result)) notPlaced.set(kindOf(a.result), (notPlaced.get(kindOf(a.result)) ?? 0) + 1);
  rows.push(goodputRow(`${maxClients} clients + checkouts`, readAnswers, took, limits));

  return {
    title: `(e) Goodput: closed-loop listing clients, ${label}`,
    notes: [
      `CategoryListing(first: 48), each client its own user, ${seconds} s per client count (the clients arriving over the first ${RAMP_MS} ms), client timeout ${CLIENT_TIMEOUT_MS / 1000} s; a refused client comes back after Retry-After plus up to half of it at random. ` +
        'Per second: complete, partial (typed errors beside the listing), refused (429 or 503 OVERLOADED), failed (anything else). ' +
        'Latency percentiles of admitted (complete + partial) answers; p99 of refusals; the concurrency limit (p10–p90 of 4 readings a second). ' +
        `Subgraphs at nice ${supervisorEnv('product').CPU_NICE ?? 0}, as \`npm start\` runs them.`,
      `Lane check, ${maxClients} listing clients with placeOrder at ${LANE_ORDERS_PER_SECOND}/s beside them: ` +
        `**${ok.length}/${orders} orders placed**, p99 **${num(percentile(okMs, 99), 0)} ms** (p50 ${num(percentile(okMs, 50), 0)} ms)` +
        (notPlaced.size > 0 ? `; not placed: ${[...notPlaced].map(([k, n]) => `${k} ${n}`).join(', ')}` : '') +
        '.',
    ],
    tables: [table(['load', 'complete/s', 'partial/s', 'refused/s', 'failed/s', 'p50 ms', 'p99 ms', 'refusal p99 ms', 'limit', 'failures'], rows)],
  };
}
