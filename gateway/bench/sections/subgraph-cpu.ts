/**
 * (c) What one CategoryListing(first: 48) costs each subgraph process in CPU: /proc user + system
 * time over N listings through the gateway, less what the process burns idle over as long (its
 * timers: sweepers, outbox relays), measured just before. On the real Postgres the database's work
 * leaves the subgraph processes for the server's, so the server's CPU is a row of its own.
 */
import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { benchEnv } from '../env.ts';
import { backOff, closedLoop, cpuOf, postGraphQL, postgresServerCpuMs, sleep } from '../measure.ts';
import { plannedOperations } from '../query-plans.ts';
import { num, table, type SectionReport } from '../report.ts';
import type { ProcessName, Stack } from '../stack.ts';

const IDLE_SECONDS = 4;
/** Enough in flight to keep every process busy, few enough that nothing queues towards a deadline. */
const CLIENTS = 4;

const SERVER = 'Postgres server';

export async function subgraphCpu(stack: Stack, label: string, options: { databaseServer: boolean }): Promise<SectionReport> {
  const listing = plannedOperations().find((p) => p.name === 'CategoryListing')!;
  const body = JSON.stringify({ query: listing.body, variables: { first: 48 } });
  const names: ProcessName[] = [...SUBGRAPH_NAMES, 'gateway'];
  const pids = Object.fromEntries(names.map((n) => [n, stack.pids[n]]));
  const cpu = (): Record<string, number> => ({ ...cpuOf(pids), ...(options.databaseServer ? { [SERVER]: postgresServerCpuMs() } : {}) });
  // Each client its own shopper, as in the other sections: one address for all would be one
  // principal's share of the admission slots.
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => stack.token(`cpu-shopper-${i}`)));
  const send = (client: number) => postGraphQL(stack.url, body, { token: tokens[client], field: 'products', timeoutMs: 10_000 });

  await closedLoop(CLIENTS, 2, send); // warm
  await sleep(1_000);
  const idleStart = performance.now();
  const idleBefore = cpu();
  await sleep(IDLE_SECONDS * 1000);
  const idleAfter = cpu();
  const idleMs = performance.now() - idleStart;

  const target = benchEnv.BENCH_LISTINGS;
  let sent = 0;
  let refused = 0;
  const started = performance.now();
  const before = cpu();
  const answers = (
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        const mine = [];
        while (sent < target) {
          sent += 1;
          const answer = await send(client);
          // A refusal costs the subgraphs nothing: the client comes back when told to, and it is no listing.
          if (answer.outcome === 'refused') {
            sent -= 1;
            refused += 1;
            await backOff(answer);
            continue;
          }
          mine.push(answer);
        }
        return mine;
      }),
    )
  ).flat();
  const after = cpu();
  const elapsed = performance.now() - started;
  const complete = answers.filter((a) => a.outcome === 'complete').length;

  const perListing = (name: string) => {
    const idleRate = (idleAfter[name]! - idleBefore[name]!) / idleMs;
    return Math.max(0, after[name]! - before[name]! - idleRate * elapsed) / answers.length;
  };
  const measured = options.databaseServer ? [...names, SERVER] : names;
  const rows = measured.map((name) => [name, num(perListing(name), 2), num((idleAfter[name]! - idleBefore[name]!) / (idleMs / 1000), 1)]);
  const total = SUBGRAPH_NAMES.reduce((s, n) => s + perListing(n), 0);
  rows.splice(SUBGRAPH_NAMES.length, 0, ['**all subgraphs**', `**${num(total, 2)}**`, '']);
  const notes = [
    `${answers.length} × CategoryListing(first: 48) through the gateway, ${CLIENTS} clients, ${num(answers.length / (elapsed / 1000))} listings/s; ` +
      `${complete} complete; ${refused} refusals waited out and not counted. Idle CPU measured over ${IDLE_SECONDS} s just before and subtracted. A 10 ms tick per /proc reading bounds the precision.` +
      (options.databaseServer
        ? ` “${SERVER}”: every postgres process on the machine; the subgraphs' SQL runs there, not in their processes.`
        : ' PGlite runs inside each subgraph process: its SQL is counted there.'),
  ];
  if (complete < answers.length) {
    notes.push(
      `**Not like for like:** ${answers.length - complete} listings were not complete; a subgraph cut short spends less. Re-run on a quiet machine.`,
    );
  }
  return {
    title: `(c) Subgraph CPU per listing, ${label}`,
    notes,
    tables: [table(['process', 'CPU ms/listing', 'idle CPU ms/s'], rows)],
  };
}
