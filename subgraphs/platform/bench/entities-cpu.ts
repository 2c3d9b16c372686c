/**
 * Subgraph CPU per `CategoryListing(first: 48)`: what product (the page), pricing, inventory and
 * marketing (`_entities` of the 48 products) each burn to answer the requests the gateway sends for
 * one listing.
 *
 * Each subgraph runs in a process of its own (subgraph-process.ts), booted as `npm start` boots it, on
 * in-memory PGlite (or, with DATABASE_URL, a fresh database on that server). The requests are the
 * gateway's own: Apollo Gateway plans the listing on the published supergraph and runs it once against
 * the subgraphs, and every fetch it makes is recorded. Then each one is replayed, signed as the gateway
 * (a fresh signature each time: every request is verified and replay-guarded), warm-up first, then
 * `BENCH_ROUNDS` rounds of `BENCH_REQUESTS`, `BENCH_CONCURRENCY` in flight. The figure is the
 * subgraph process's CPU (user + system, process.cpuUsage) per request, over each round.
 *
 * `BENCH_BASELINE=/path/to/other/checkout` measures that checkout's subgraphs too, interleaved round
 * by round with this one's, for a before/after on the same machine at the same time.
 * `BENCH_CPU_PROF=dir` writes a V8 CPU profile of the measured rounds per subgraph process (Chrome
 * DevTools opens it; cpu-profile-summary.ts sums it up by function and by package).
 *
 *   npx tsx subgraphs/platform/bench/entities-cpu.ts
 *   BENCH_BASELINE=/work/main BENCH_ROUNDS=7 npx tsx subgraphs/platform/bench/entities-cpu.ts
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { REPO_ROOT, testEnv } from '../src/env.ts';
import { signHeaders, type Signer } from '../src/gateway-credential.ts';
import { testCredentials } from '../src/testing.ts';
import { benchEnv } from './env.ts';

const LISTING_SUBGRAPHS = ['product', 'pricing', 'inventory', 'marketing'] as const;
type ListingSubgraph = (typeof LISTING_SUBGRAPHS)[number];
const PAGE = 48;
const CHILD = fileURLToPath(new URL('./subgraph-process.ts', import.meta.url));
const SIGNER: Signer = testCredentials('gateway').signer!;

interface Checkout {
  label: string;
  root: string;
  commit: string;
  subgraphs: Map<ListingSubgraph, SubgraphProcess>;
}

interface SubgraphProcess {
  child: ChildProcess;
  url: URL;
  agent: Agent;
}

function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

function startProcess(root: string, label: string, name: ListingSubgraph): Promise<SubgraphProcess> {
  const profile = benchEnv.BENCH_CPU_PROF ? [join(resolve(benchEnv.BENCH_CPU_PROF), `${label}-${name}.cpuprofile`)] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, name, ...profile], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolveStarted, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /READY (\S+)/.exec(buffered);
      if (!match) return;
      // Its log lines are read and dropped from here on, so the pipe never fills.
      buffered = '';
      child.stdout!.off('data', onData).on('data', () => {});
      resolveStarted({ child, url: new URL(match[1]!), agent: new Agent({ keepAlive: true, maxSockets: benchEnv.BENCH_CONCURRENCY }) });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${label} ${name} exited with ${code} before it was ready`)));
  });
}

function cpuMsOf(child: ChildProcess): Promise<number> {
  return new Promise((resolveCpu) => {
    child.once('message', (message: { cpu: NodeJS.CpuUsage }) => resolveCpu((message.cpu.user + message.cpu.system) / 1000));
    child.send('cpu');
  });
}

/** Asks a subgraph process something and waits for its one-word answer. */
function ask(child: ChildProcess, question: string): Promise<void> {
  return new Promise((answered) => {
    child.once('message', () => answered());
    child.send(question);
  });
}

const everyProcess = (checkouts: Checkout[]) => checkouts.flatMap((c) => [...c.subgraphs.values()]);

function stopProcess(p: SubgraphProcess): Promise<void> {
  p.agent.destroy();
  return new Promise((resolveStopped) => {
    p.child.once('exit', () => resolveStopped());
    p.child.send('stop');
  });
}

/** A request as the gateway signs it: for this subgraph, this path and body, with a fresh nonce. */
function signed(target: ListingSubgraph, path: string, body: string): Record<string, string> {
  return signHeaders(SIGNER, { method: 'POST', path, target }, { requestId: randomUUID(), userId: null, roles: [], deadlineMs: '10000', body });
}

/** Apollo Gateway's data source, signing as our gateway does, remembering every body it sends. */
class RecordingDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly target: ListingSubgraph,
    url: string,
    private readonly sent: Map<ListingSubgraph, string[]>,
  ) {
    super({ url });
  }

  override willSendRequest({ request: outgoing }: GraphQLDataSourceProcessOptions): void {
    // Serialised as RemoteGraphQLDataSource serialises it (see the gateway's request-signing.ts).
    const { http, query, ...rest } = outgoing;
    const body = JSON.stringify({ query, ...rest });
    const bodies = this.sent.get(this.target) ?? [];
    bodies.push(body);
    this.sent.set(this.target, bodies);
    for (const [name, value] of Object.entries(signed(this.target, new URL(http!.url).pathname, body))) http!.headers.set(name, value);
  }
}

const quiet = { debug() {}, info() {}, warn: console.warn, error: console.error };

/** The listing through Apollo Gateway once: the body of every fetch its plan makes, per subgraph. */
async function recordListing(checkout: Checkout): Promise<Map<ListingSubgraph, string>> {
  const sent = new Map<ListingSubgraph, string[]>();
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'),
    logger: quiet,
    buildService: ({ name, url }) => {
      const process = checkout.subgraphs.get(name as ListingSubgraph);
      return new RecordingDataSource(name as ListingSubgraph, process?.url.href ?? url ?? 'http://127.0.0.1:9/graphql', sent);
    },
  });
  const server = new ApolloServer({ gateway, logger: quiet });
  await server.start();
  try {
    const query = readFileSync(join(REPO_ROOT, 'schema/operations/web/CategoryListing.graphql'), 'utf8');
    const response = await server.executeOperation({ query, variables: { first: PAGE } });
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    const edges = (result?.data as { products?: { edges?: unknown[] } } | undefined)?.products?.edges;
    if (result?.errors?.length || edges?.length !== PAGE) throw new Error(`the listing failed: ${JSON.stringify(result?.errors ?? result?.data)}`);
  } finally {
    await server.stop();
  }
  const recorded = new Map<ListingSubgraph, string>();
  for (const name of LISTING_SUBGRAPHS) {
    const bodies = sent.get(name) ?? [];
    if (bodies.length !== 1) throw new Error(`expected one fetch to ${name} per listing, the plan made ${bodies.length}`);
    recorded.set(name, bodies[0]!);
  }
  return recorded;
}

function post(p: SubgraphProcess, target: ListingSubgraph, body: string): Promise<void> {
  return new Promise((resolvePosted, reject) => {
    const req = request(
      p.url,
      {
        method: 'POST',
        agent: p.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...signed(target, p.url.pathname, body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // Every answer is checked: a fault (refused signature, timeout) would be cheap and wrong.
          if (res.statusCode !== 200 || text.includes('"errors"')) reject(new Error(`${target} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolvePosted();
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function send(p: SubgraphProcess, target: ListingSubgraph, body: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      await post(p, target, body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, benchEnv.BENCH_CONCURRENCY) }, worker));
}

/** CPU ms per request of one round. */
async function measure(p: SubgraphProcess, target: ListingSubgraph, body: string): Promise<number> {
  const before = await cpuMsOf(p.child);
  await send(p, target, body, benchEnv.BENCH_REQUESTS);
  const after = await cpuMsOf(p.child);
  return (after - before) / benchEnv.BENCH_REQUESTS;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (x: number) => x.toFixed(2).padStart(6);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const only = benchEnv.BENCH_SUBGRAPHS?.split(',').map((s) => s.trim());
  const measured = LISTING_SUBGRAPHS.filter((n) => !only || only.includes(n));
  const roots = [
    ...(benchEnv.BENCH_BASELINE ? [{ label: 'baseline', root: resolve(benchEnv.BENCH_BASELINE) }] : []),
    { label: 'this', root: REPO_ROOT },
  ];
  const checkouts: Checkout[] = roots.map((r) => ({ ...r, commit: commitOf(r.root), subgraphs: new Map() }));
  try {
    // One at a time: several PGlite databases migrating and seeding at once crowd a small machine.
    for (const checkout of checkouts) {
      for (const name of LISTING_SUBGRAPHS) checkout.subgraphs.set(name, await startProcess(checkout.root, checkout.label, name));
    }
    const bodies = await recordListing(checkouts.at(-1)!);
    // The baseline must answer the same requests (same supergraph, same seed) without faults.
    for (const checkout of checkouts.slice(0, -1)) await recordListing(checkout);

    const loadBefore = load();
    for (const checkout of checkouts) {
      for (const name of measured) await send(checkout.subgraphs.get(name)!, name, bodies.get(name)!, benchEnv.BENCH_WARMUP);
    }
    if (benchEnv.BENCH_CPU_PROF) await Promise.all(everyProcess(checkouts).map((p) => ask(p.child, 'profile-start')));
    const samples = new Map<string, number[]>();
    for (let round = 0; round < benchEnv.BENCH_ROUNDS; round++) {
      // Alternating which checkout goes first, so neither always meets the machine in the same state.
      const order = round % 2 ? [...checkouts].reverse() : checkouts;
      for (const name of measured) {
        for (const checkout of order) {
          const key = `${checkout.label}/${name}`;
          samples.set(key, [...(samples.get(key) ?? []), await measure(checkout.subgraphs.get(name)!, name, bodies.get(name)!)]);
        }
      }
    }
    const loadAfter = load();
    if (benchEnv.BENCH_CPU_PROF) await Promise.all(everyProcess(checkouts).map((p) => ask(p.child, 'profile-stop')));

    console.log(`subgraph CPU per CategoryListing(first: ${PAGE}), ms per request (user + system of the subgraph's process)`);
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${testEnv().databaseUrl ? 'Postgres server' : 'embedded PGlite'}; ` +
        `${benchEnv.BENCH_ROUNDS} rounds × ${benchEnv.BENCH_REQUESTS} requests, ${benchEnv.BENCH_CONCURRENCY} in flight, after ${benchEnv.BENCH_WARMUP} warm-up`,
    );
    console.log(`load average before ${loadBefore}, after ${loadAfter}`);
    for (const checkout of checkouts) {
      console.log(`\n${checkout.label} (${checkout.commit}, ${checkout.root})`);
      console.log(`  ${'subgraph'.padEnd(10)} median    min    max`);
      let total = 0;
      for (const name of measured) {
        const xs = samples.get(`${checkout.label}/${name}`)!;
        total += median(xs);
        console.log(`  ${name.padEnd(10)} ${ms(median(xs))} ${ms(Math.min(...xs))} ${ms(Math.max(...xs))}`);
      }
      console.log(`  ${'listing'.padEnd(10)} ${ms(total)}  (sum of medians)`);
    }
    if (checkouts.length === 2) {
      const [before, after] = checkouts as [Checkout, Checkout];
      const sum = (c: Checkout) => measured.reduce((t, name) => t + median(samples.get(`${c.label}/${name}`)!), 0);
      console.log(`\nthis / baseline: ${(sum(after) / sum(before)).toFixed(2)} ×`);
    }
  } finally {
    await Promise.all(everyProcess(checkouts).map(stopProcess));
  }
}

await main();
