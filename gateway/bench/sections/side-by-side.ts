/**
 * (a) Ours vs plain Apollo Gateway, side by side: both from the same supergraph over the same
 * subgraphs, each gateway on a core of its own (the subgraphs and this process on the other), the
 * same connections, rounds interleaved (ours, plain, ours, plain, …) so machine noise hits both
 * alike. The subgraphs' answers are replayed from memory (bench/replay-subgraphs.ts; BENCH_REPLAY=false
 * for the live subgraphs), so the gateways and not the subgraphs set the pace. Requests per second and the gateway's CPU per request (/proc: user + system of
 * the gateway process over the run), for the listing and for the registered query whose plan
 * makes the most subgraph fetches.
 */
import { join } from 'node:path';
import { cpus } from 'node:os';
import { Kind, parse } from 'graphql';
import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { DEFAULT_RESILIENCE } from '../../src/subgraph-fetch/resilience.ts';
import { benchEnv } from '../env.ts';
import { backOff, closedLoop, cpuMs, percentile, pin, postGraphQL } from '../measure.ts';
import { startPlainGateway, startReplaySubgraphs } from '../plain-gateway-process.ts';
import { heaviestQuery, plannedOperations } from '../query-plans.ts';
import { num, range, table, type SectionReport } from '../report.ts';
import type { Stack } from '../stack.ts';

const WARM_SECONDS = 3;

interface Side {
  name: 'ours' | 'plain';
  url: string;
  pid: number;
}

interface Operation {
  name: string;
  body: string;
  field: string;
}

interface RunResult {
  rps: number;
  cpuMsPerRequest: number;
  p50: number;
  p99: number;
  /** OVERLOADED or rate-limit refusals, each waited out by its user. */
  refused: number;
  /** Answers that carried errors (a field lost to a timeout, say): counted, not hidden in the RPS. */
  withErrors: number;
  /** Failed outright: the root field null, another status, a timeout. */
  errors: number;
}

/**
 * Closed-loop users, one per connection, each its own signed-in shopper as a sale's traffic is
 * (ours shares its slots between users): each sends its next request when the last is answered and,
 * when refused, comes back after Retry-After, as the contract asks of clients. A load generator that
 * retried a refusal at once (autocannon) would measure how fast ours can say no, not what it
 * serves. The plain gateway never refuses, and ignores the token.
 */
async function load(side: Side, op: Operation, options: { seconds: number; connections: number; tokens: string[] }): Promise<RunResult> {
  const before = cpuMs(side.pid);
  const started = performance.now();
  const answers = await closedLoop(options.connections, options.seconds, async (client) => {
    const answer = await postGraphQL(side.url, op.body, { token: options.tokens[client], field: op.field, timeoutMs: 10_000 });
    if (answer.outcome === 'refused') await backOff(answer);
    return answer;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(side.pid) - before;
  // Only complete answers count: a refusal or an answer with errors is no listing.
  const complete = answers.filter((a) => a.outcome === 'complete');
  const ms = complete.map((a) => a.ms);
  return {
    rps: complete.length / seconds,
    cpuMsPerRequest: cpu / Math.max(1, complete.length),
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    refused: answers.filter((a) => a.outcome === 'refused').length,
    withErrors: answers.filter((a) => a.outcome === 'partial').length,
    errors: answers.filter((a) => a.outcome === 'failed').length,
  };
}

/** The first field the operation selects: what must not be null for its answer to count. */
function rootField(body: string): string {
  const operation = parse(body).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const first = operation?.selectionSet.selections[0];
  if (first?.kind !== Kind.FIELD) throw new Error('an operation whose first selection is not a field');
  return (first.alias ?? first.name).value;
}

export async function sideBySide(stack: Stack): Promise<SectionReport> {
  const planned = plannedOperations();
  const listing = planned.find((p) => p.name === 'CategoryListing')!;
  const heaviest = heaviestQuery(planned);
  const operations: Operation[] = [
    { name: 'CategoryListing(first: 48)', body: JSON.stringify({ query: listing.body, variables: { first: 48 } }), field: rootField(listing.body) },
    {
      name: heaviest.chosen.name,
      body: JSON.stringify({ query: heaviest.chosen.body, variables: heaviest.variables }),
      field: rootField(heaviest.chosen.body),
    },
  ];
  const replay = benchEnv.BENCH_REPLAY !== false ? await startReplaySubgraphs(stack, join(stack.logDir, 'replay-subgraphs.log')) : undefined;
  const ours = replay ? await stack.startGateway(replay.urls) : { url: stack.url, pid: stack.pids.gateway, stop: async () => {} };
  const plain = await startPlainGateway(stack, DEFAULT_RESILIENCE.subgraphTimeoutMs, join(stack.logDir, 'plain-gateway.log'), replay?.urls);
  const sides: Side[] = [
    { name: 'ours', url: ours.url, pid: ours.pid },
    { name: 'plain', url: plain.url, pid: plain.pid },
  ];
  const pinning = (benchEnv.BENCH_PIN ?? true) && cpus().length >= 2;
  const subgraphPids = [...SUBGRAPH_NAMES.map((n) => stack.pids[n]), ...(replay ? [replay.pid] : [])];
  const notes = [
    `Plain: ApolloGateway + ApolloServer standalone, same supergraph and subgraphs, signing only (bench/plain-gateway.ts). ` +
      `Ours: what \`npm start\` runs, every edge plugin on (RATE_LIMIT_POINTS raised so nothing is refused).`,
    replay
      ? 'Subgraphs: answers recorded from the real ones on first sight, then replayed from memory by one process (bench/replay-subgraphs.ts), so the gateways set the pace.'
      : 'Subgraphs: the live processes (BENCH_REPLAY=false); on one core they, not the gateways, may set the pace.',
    `Heaviest query: ${heaviest.note}.`,
    `${benchEnv.BENCH_ROUNDS} rounds × ${benchEnv.BENCH_SECONDS} s per gateway and operation, ${benchEnv.BENCH_CONNECTIONS} connections, ` +
      (pinning ? 'each gateway pinned to core 1, subgraphs and the load generator to core 0.' : 'no pinning (BENCH_PIN=false or one core).'),
    `${benchEnv.BENCH_CONNECTIONS} closed-loop users, each its own shopper, back after Retry-After when refused. ` +
      'req/s: complete answers (no errors) per second; refusals and partial answers do not count. CPU ms/req: the gateway process’s user + system time over the run ÷ complete answers. p50/p99 of complete answers.',
  ];
  const tables: string[] = [];
  const tokens = await Promise.all(Array.from({ length: benchEnv.BENCH_CONNECTIONS }, (_, i) => stack.token(`bench-shopper-${i}`)));
  try {
    if (pinning) {
      await pin([...subgraphPids, process.pid], '0');
      await pin(
        sides.map((s) => s.pid),
        '1',
      );
    }
    for (const op of operations) {
      for (const side of sides) await load(side, op, { seconds: WARM_SECONDS, connections: 4, tokens }); // plans, JIT, caches
    }
    const replayedBefore = await replay?.stats();
    const runs = new Map<string, RunResult[]>();
    for (let round = 1; round <= benchEnv.BENCH_ROUNDS; round++) {
      for (const op of operations) {
        for (const side of sides) {
          const result = await load(side, op, { seconds: benchEnv.BENCH_SECONDS, connections: benchEnv.BENCH_CONNECTIONS, tokens });
          runs.set(`${op.name}/${side.name}`, [...(runs.get(`${op.name}/${side.name}`) ?? []), result]);
          console.log(
            `  round ${round} ${op.name.padEnd(26)} ${side.name.padEnd(5)} ${num(result.rps).padStart(7)} req/s  ${num(result.cpuMsPerRequest, 2)} CPU ms/req`,
          );
        }
      }
    }
    if (replay && replayedBefore) {
      const after = await replay.stats();
      const hits = Object.keys(after).reduce((sum, n) => sum + after[n]!.hits - replayedBefore[n]!.hits, 0);
      const misses = Object.keys(after).reduce((sum, n) => sum + after[n]!.misses - replayedBefore[n]!.misses, 0);
      notes.push(`Subgraph fetches during the measured rounds: ${hits} replayed, ${misses} passed to the real subgraphs.`);
    }
    const mean = (rs: RunResult[], f: (r: RunResult) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    const rows = [];
    for (const op of operations) {
      const ours = runs.get(`${op.name}/ours`)!;
      const plainRuns = runs.get(`${op.name}/plain`)!;
      for (const [name, rs] of [
        ['ours', ours],
        ['plain', plainRuns],
      ] as const) {
        const rps = mean(rs, (r) => r.rps);
        const cpu = mean(rs, (r) => r.cpuMsPerRequest);
        const p50 = mean(rs, (r) => r.p50);
        const p99 = mean(rs, (r) => r.p99);
        const refused = rs.reduce((s, r) => s + r.refused, 0);
        const failed = rs.reduce((s, r) => s + r.errors, 0);
        const withErrors = rs.reduce((s, r) => s + r.withErrors, 0);
        rows.push([
          `${op.name} · ${name}`,
          rs.map((r) => num(r.rps, 0)).join(' '),
          num(rps),
          num(cpu, 2),
          num(p50, 0),
          num(p99, 0),
          refused,
          withErrors,
          failed,
        ]);
      }
      const ratios = ours.map((r, i) => r.rps / plainRuns[i]!.rps);
      const cpuRatios = ours.map((r, i) => r.cpuMsPerRequest / plainRuns[i]!.cpuMsPerRequest);
      const rpsRatio = mean(ours, (r) => r.rps) / mean(plainRuns, (r) => r.rps);
      const cpuRatio = mean(ours, (r) => r.cpuMsPerRequest) / mean(plainRuns, (r) => r.cpuMsPerRequest);
      rows.push([
        `${op.name} · ours/plain`,
        ratios.map((r) => r.toFixed(2)).join(' '),
        `${num(rpsRatio, 2)}×`,
        `${num(cpuRatio, 2)}×`,
        '',
        '',
        '',
        '',
        '',
      ]);
      rows.push([`${op.name} · ratio range`, '', range(ratios), range(cpuRatios), '', '', '', '', '']);
    }
    const incomplete = [...runs].filter(([, rs]) => rs.some((r) => r.withErrors + r.errors > 0)).map(([key]) => key.replace('/', ' · '));
    if (incomplete.length > 0) {
      notes.push(
        `**Not like for like:** some answers of ${incomplete.join(', ')} carried errors or failed (fields lost to deadlines on a busy machine); ` +
          'a gateway that drops fields does less work per request. Re-run on a quiet machine.',
      );
    }
    tables.push(table(['operation · gateway', 'req/s per round', 'req/s', 'CPU ms/req', 'p50 ms', 'p99 ms', 'refused', 'partial', 'failed'], rows));
  } finally {
    if (pinning) await pin([...subgraphPids, process.pid, ...sides.map((s) => s.pid)], undefined);
    await plain.stop();
    await ours.stop();
    await replay?.stop();
  }
  return { title: '(a) Ours vs plain Apollo Gateway, one core each', notes, tables };
}
