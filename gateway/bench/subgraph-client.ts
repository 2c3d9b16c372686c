/**
 * The gateway's subgraph HTTP client, measured side by side: undici's keep-alive Pool (what the
 * gateway uses, subgraph-fetch/subgraph-transport.ts) against node:http with a keep-alive Agent,
 * and the make-fetch-happen fetcher plain Apollo Gateway uses. A stand-in subgraph in a child
 * process answers every POST with a 48-entity `_entities` body; each client sends the same signed-size
 * request at the same concurrency, in interleaved rounds. Reported: requests per second and the
 * client's CPU per request (what the gateway pays).
 *
 *   npx tsx bench/subgraph-client.ts            (BENCH_ROUNDS, BENCH_REQUESTS, BENCH_CONCURRENCY)
 */
import { fork } from 'node:child_process';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEnv } from '@ecom/platform/env';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { z } from 'zod';
import { createSubgraphTransport } from '../src/subgraph-fetch/subgraph-transport.ts';

const env = parseEnv({
  BENCH_ROUNDS: z.coerce.number().int().positive().default(3),
  BENCH_REQUESTS: z.coerce.number().int().positive().default(4_000),
  BENCH_CONCURRENCY: z.coerce.number().int().positive().default(16),
});

if (process.argv[2] === 'serve') {
  const entity = { __typename: 'Product', priceRange: { min: { amount: 1999, currency: 'EUR' }, max: { amount: 2999, currency: 'EUR' } } };
  const answer = JSON.stringify({ data: { _entities: Array.from({ length: 48 }, () => entity) } });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
} else {
  await main();
}

type Send = (body: string) => Promise<string>;

async function main() {
  const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  const url = `http://127.0.0.1:${port}/graphql`;
  const body = JSON.stringify({
    query:
      'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{priceRange{min{amount currency}max{amount currency}}}}}',
    variables: { representations: Array.from({ length: 48 }, (_, i) => ({ __typename: 'Product', id: `prod-${i}` })) },
  });
  const headers = { 'content-type': 'application/json', 'x-request-id': 'bench', 'x-signature': 'x'.repeat(43) };

  const undici = createSubgraphTransport();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  // Plain Apollo Gateway's own fetcher: make-fetch-happen as RemoteGraphQLDataSource configures it.
  const apolloFetcher = new RemoteGraphQLDataSource().fetcher;
  const clients: Record<string, Send> = {
    'undici Pool': async (b) => (await undici.post(url, headers, b, { deadlineMs: 5_000 })).text,
    'node:http Agent': (b) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(b) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.setTimeout(5_000);
        req.end(b);
      }),
    'make-fetch-happen (plain Apollo Gateway)': async (b) => (await apolloFetcher(url, { method: 'POST', headers, body: b })).text(),
  };

  const run = async (send: Send) => {
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: env.BENCH_CONCURRENCY }, async () => {
        while (next++ < env.BENCH_REQUESTS) JSON.parse(await send(body));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { rps: env.BENCH_REQUESTS / seconds, cpuUsPerRequest: (used.user + used.system) / env.BENCH_REQUESTS };
  };

  for (const send of Object.values(clients)) await run(send); // warm
  const results: Record<string, { rps: number[]; cpu: number[] }> = {};
  for (let round = 0; round < env.BENCH_ROUNDS; round++) {
    for (const [name, send] of Object.entries(clients)) {
      const r = await run(send);
      (results[name] ??= { rps: [], cpu: [] }).rps.push(r.rps);
      results[name].cpu.push(r.cpuUsPerRequest);
    }
  }
  const base = results['node:http Agent']!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const range = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
  console.log(`\nSubgraph client, ${env.BENCH_REQUESTS} requests × ${env.BENCH_ROUNDS} rounds, concurrency ${env.BENCH_CONCURRENCY}`);
  console.log('| client | req/s (rounds) | client CPU µs/request (rounds) | CPU vs node:http |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${range(r.rps)} | ${range(r.cpu)} | ${(mean(r.cpu) / mean(base.cpu)).toFixed(2)} × |`);
  }
  await undici.close();
  agent.destroy();
  child.kill();
}
