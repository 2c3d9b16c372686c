/**
 * A section of `npm run bench`, or `npm run bench:traces` alone: what tracing costs the listing.
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
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { operation } from '../test/support/operations.ts';
import { benchEnv } from './env.ts';
import { machine, num, print, table, type SectionReport } from './report.ts';

const SECONDS = benchEnv.BENCH_SECONDS;
const CONNECTIONS = benchEnv.BENCH_CONNECTIONS;
const ROUNDS = benchEnv.BENCH_ROUNDS;
const LISTING = JSON.stringify({ query: operation('web/CategoryListing'), variables: { first: 48 } });

const MODE_NAMES = ['off', 'no-endpoint', 'exporting'] as const;
type Mode = (typeof MODE_NAMES)[number];

function modeEnv(mode: Mode, collectorUrl: string): Record<string, string> {
  switch (mode) {
    case 'off':
      return { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    case 'no-endpoint':
      return { OTEL_SDK_DISABLED: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    case 'exporting':
      return { OTEL_SDK_DISABLED: '', OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
  }
}

function startGraphProcess(mode: Mode, collectorUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./traced-graph-process.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      OTEL_TRACES_SAMPLER: '',
      OTEL_TRACES_EXPORTER: '',
      OTEL_SERVICE_NAME: '',
      ...modeEnv(mode, collectorUrl),
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

export async function traceCost(): Promise<SectionReport> {
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
  const modes = [...MODE_NAMES];
  const graphs = new Map<Mode, { child: ChildProcess; url: string }>();
  try {
    // One at a time: booting three graphs at once would make the first measurements noisier.
    for (const mode of modes) graphs.set(mode, await startGraphProcess(mode, collectorUrl));
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
          `  round ${round} ${mode.padEnd(12)} ${(result.requests.total / SECONDS).toFixed(1).padStart(7)} req/s  p99 ${result.latency.p99} ms  non2xx ${result.non2xx}`,
        );
      }
    }
    const base = totals.off.requests;
    return {
      title: 'Trace cost (OpenTelemetry off / SDK without endpoint / exporting every request)',
      notes: [
        `The whole graph in one process per mode (bench/traced-graph-process.ts), ${ROUNDS} interleaved rounds × ${SECONDS} s × ${CONNECTIONS} connections. ` +
          `Exported: ${exportRequests} OTLP requests, ${(exportBytes / 1024 / 1024).toFixed(1)} MB. Targets: exporting ≥ 0.85 × off, no-endpoint ≥ 0.97 × off.`,
      ],
      tables: [
        table(
          ['mode', 'req/s', '× off', 'p99 ms per round', 'non-2xx'],
          modes.map((mode) => [
            mode,
            num(totals[mode].requests / (ROUNDS * SECONDS)),
            (totals[mode].requests / base).toFixed(3),
            totals[mode].p99.join(' '),
            totals[mode].non2xx,
          ]),
        ),
      ],
    };
  } finally {
    for (const { child } of graphs.values()) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    collector.close();
  }
}

// `npm run bench:traces`: this section alone.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(machine());
  print(await traceCost());
}
