/**
 * `npm run bench` (second part), or `npm run bench:traces` alone: what tracing costs the listing.
 * Three graph processes, identical but for their OTEL_* variables:
 *   off        OTEL_SDK_DISABLED=true: no SDK at all
 *   no-endpoint the SDK present, no OTEL_EXPORTER_OTLP_ENDPOINT: context passes through, no spans
 *   exporting  every request traced (parentbased_always_on) and exported over OTLP http/protobuf
 *              to a collector stand-in in this process that reads and drops what it gets
 * Runs are interleaved (off, no-endpoint, exporting, off, …) so machine noise hits all three alike;
 * the ratios are summed requests of a mode over summed requests of `off`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { operation } from '../test/support/operations.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LISTING = JSON.stringify({ query: operation('web/CategoryListing'), variables: { first: 48 } });

// The collector stand-in: counts what arrives, answers 200 as a collector would.
let exportRequests = 0;
let exportBytes = 0;
const collector = createServer((req, res) => {
  req.on('data', (c: Buffer) => (exportBytes += c.length));
  req.on('end', () => {
    exportRequests += 1;
    res.setHeader('content-type', 'application/x-protobuf');
    res.end();
  });
});
await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

const MODES = {
  off: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  'no-endpoint': { OTEL_SDK_DISABLED: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  exporting: { OTEL_SDK_DISABLED: '', OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
} as const;
type Mode = keyof typeof MODES;

function startGraphProcess(mode: Mode): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./traced-graph-process.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      OTEL_TRACES_SAMPLER: '',
      OTEL_TRACES_EXPORTER: '',
      OTEL_SERVICE_NAME: '',
      ...MODES[mode],
    },
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /READY (\S+)/.exec(buffered);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`graph process (${mode}) exited with ${code}`)));
  });
}

const load = (url: string, options: { duration?: number; amount?: number; connections: number }) =>
  autocannon({ url, method: 'POST', body: LISTING, headers: { 'content-type': 'application/json' }, ...options });

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${ROUNDS} rounds × ${SECONDS}s × ${CONNECTIONS} connections per mode`,
);
const modes = Object.keys(MODES) as Mode[];
const graphs = new Map<Mode, { child: ChildProcess; url: string }>();
try {
  // One at a time: booting three graphs at once would make the first measurements noisier.
  for (const mode of modes) graphs.set(mode, await startGraphProcess(mode));
  for (const mode of modes) await load(graphs.get(mode)!.url, { amount: 100, connections: 4 }); // warm: plans, JIT, caches
  const totals = Object.fromEntries(modes.map((m) => [m, { requests: 0, non2xx: 0, p99: [] as number[] }])) as Record<
    Mode,
    { requests: number; non2xx: number; p99: number[] }
  >;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of modes) {
      const result = await load(graphs.get(mode)!.url, { duration: SECONDS, connections: CONNECTIONS });
      totals[mode].requests += result.requests.total;
      totals[mode].non2xx += result.non2xx;
      totals[mode].p99.push(result.latency.p99);
      console.log(
        `round ${round} ${mode.padEnd(12)} ${(result.requests.total / SECONDS).toFixed(1).padStart(7)} req/s  p99 ${result.latency.p99} ms  non2xx ${result.non2xx}`,
      );
    }
  }
  const base = totals.off.requests;
  console.log('\nmode          req/s    × off   non2xx');
  for (const mode of modes) {
    const t = totals[mode];
    console.log(`${mode.padEnd(12)} ${(t.requests / (ROUNDS * SECONDS)).toFixed(1).padStart(6)}   ${(t.requests / base).toFixed(3)}   ${t.non2xx}`);
  }
  console.log(
    `\nexported: ${exportRequests} OTLP requests, ${(exportBytes / 1024 / 1024).toFixed(1)} MB (targets: exporting ≥ 0.85 × off, no-endpoint ≥ 0.97 × off)`,
  );
} finally {
  for (const { child } of graphs.values()) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  collector.close();
}
