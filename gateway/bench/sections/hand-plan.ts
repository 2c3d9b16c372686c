/**
 * (b) The listing through our gateway vs the same query plan performed by hand (hand-plan.ts): one
 * request at a time (latency, not queueing), rounds interleaved. What the gateway adds per
 * critical-path level is (ours − hand) at p50 ÷ the plan's levels. CPU per listing beside it: the
 * gateway process's, and this process's while it performs the plan by hand.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_RESILIENCE } from '../../src/subgraph-fetch/resilience.ts';
import { benchEnv } from '../env.ts';
import { createHandPlanClient } from '../hand-plan.ts';
import { closedLoop, cpuMs, percentile, postGraphQL } from '../measure.ts';
import { criticalPathLevels, fetchNodes, planOf, plannedOperations } from '../query-plans.ts';
import { num, table, type SectionReport } from '../report.ts';
import type { Stack } from '../stack.ts';

const VARIABLES = { first: 48 };

export async function handPlan(stack: Stack): Promise<SectionReport> {
  const listing = plannedOperations().find((p) => p.name === 'CategoryListing')!;
  const plan = planOf(listing.body, 'CategoryListing');
  const levels = criticalPathLevels(plan.node);
  const hand = createHandPlanClient({ subgraphUrls: stack.subgraphUrls, signer: stack.signer, budgetMs: DEFAULT_RESILIENCE.subgraphTimeoutMs });
  const body = JSON.stringify({ query: listing.body, variables: VARIABLES });
  const timeoutMs = 10_000;
  try {
    // The hand-made answer must be the listing, or the comparison means nothing. A few tries: on a
    // busy machine a subgraph may cut a field at the announced budget.
    for (let attempt = 1; ; attempt++) {
      const check = await hand.run(plan, VARIABLES, randomUUID());
      const edges = (check.data.products as { edges?: { node: Record<string, unknown> }[] } | undefined)?.edges ?? [];
      const whole = edges.length === 48 && edges.every((e) => e.node.priceRange && e.node.availability && e.node.badges);
      if (check.errors.length === 0 && whole) break;
      if (attempt === 5) throw new Error(`the hand-made listing is not whole: ${JSON.stringify(check.errors).slice(0, 300)}`);
    }

    const ours = { ms: [] as number[], cpu: 0, count: 0, notComplete: 0 };
    const byHand = { ms: [] as number[], cpu: 0, count: 0, notComplete: 0 };
    // Warm both: plans, JIT, connections.
    await closedLoop(1, 2, () => postGraphQL(stack.url, body, { field: 'products', timeoutMs }));
    await closedLoop(1, 2, () => hand.run(plan, VARIABLES, randomUUID()));
    for (let round = 1; round <= benchEnv.BENCH_ROUNDS; round++) {
      const before = cpuMs(stack.pids.gateway);
      const answers = await closedLoop(1, benchEnv.BENCH_SECONDS, () => postGraphQL(stack.url, body, { field: 'products', timeoutMs }));
      ours.cpu += cpuMs(stack.pids.gateway) - before;
      ours.count += answers.length;
      ours.ms.push(...answers.map((a) => a.ms));
      ours.notComplete += answers.filter((a) => a.outcome !== 'complete').length;

      const usage = process.cpuUsage();
      const handAnswers = await closedLoop(1, benchEnv.BENCH_SECONDS, async () => {
        const started = performance.now();
        const answer = await hand.run(plan, VARIABLES, randomUUID());
        return { ms: performance.now() - started, complete: answer.errors.length === 0 };
      });
      const used = process.cpuUsage(usage);
      byHand.cpu += (used.user + used.system) / 1000;
      byHand.count += handAnswers.length;
      byHand.ms.push(...handAnswers.map((a) => a.ms));
      byHand.notComplete += handAnswers.filter((a) => !a.complete).length;
      console.log(`  round ${round}: ours p50 ${num(percentile(ours.ms, 50))} ms, by hand p50 ${num(percentile(byHand.ms, 50))} ms`);
    }
    const p = (s: { ms: number[] }, q: number) => percentile(s.ms, q);
    const row = (name: string, s: typeof ours) => [name, s.count, num(p(s, 50)), num(p(s, 99)), num(s.cpu / Math.max(1, s.count), 2), s.notComplete];
    return {
      title: '(b) Listing through the gateway vs the same plan by hand',
      notes: [
        `CategoryListing(first: 48): ${fetchNodes(plan.node).length} fetches in ${levels} critical-path levels (${fetchNodes(plan.node)
          .map((f) => f.serviceName)
          .join(', ')}). One request at a time, ${benchEnv.BENCH_ROUNDS} interleaved rounds × ${benchEnv.BENCH_SECONDS} s per side.`,
        'By hand: the planner’s fetch documents sent straight to the subgraphs, signed, parallel as planned, answers merged (bench/hand-plan.ts). ' +
          'CPU ms/listing: the gateway process for ours, this process for the hand-made one.',
        `Gateway ms per level (p50): (${num(p(ours, 50))} − ${num(p(byHand, 50))}) ÷ ${levels} = **${num((p(ours, 50) - p(byHand, 50)) / levels, 2)} ms**; ` +
          `at p99: ${num((p(ours, 99) - p(byHand, 99)) / levels, 2)} ms.`,
      ],
      tables: [
        table(['client', 'listings', 'p50 ms', 'p99 ms', 'CPU ms/listing', 'not complete'], [row('ours (gateway)', ours), row('by hand', byHand)]),
      ],
    };
  } finally {
    hand.close();
  }
}
