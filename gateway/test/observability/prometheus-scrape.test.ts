import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@ecom/platform/env';
import { startMetricsServer, type MetricsServer } from '@ecom/platform/metrics';
import { DEAD_URL } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';

/**
 * A real Prometheus (Debian's `prometheus`; .ci/run installs it) scrapes the graph's metrics port
 * every second while the test sends listings, some of them with marketing down; its HTTP API then
 * answers with the request-duration histogram per operation and marketing's fetch errors.
 * The graph runs in this one process, so its seven registries are one, served on one port.
 */
const LISTING = operation('web/CategoryListing');
const CATEGORIES = operation('web/Categories');

let graph: Graph;
let metrics: MetricsServer;
let prometheus: ChildProcess;
let promUrl: string;
let dir: string;

beforeAll(async () => {
  graph = await startGraph();
  metrics = await startMetricsServer(0, '127.0.0.1');
  dir = mkdtempSync(join(tmpdir(), 'graph-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: graph',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${metrics.port}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    prometheus.once('spawn', resolve);
    prometheus.once('error', (err) => reject(new Error(`prometheus did not start (apt-get install prometheus): ${err.message}`)));
  });
}, 600_000); // six subgraphs migrate and seed: slow on a loaded machine
afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await metrics?.stop();
  await graph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus scrapes the running graph', () => {
  it('answers with the request-duration histogram per operation and the fetch errors of a failed subgraph', async () => {
    for (let i = 0; i < 3; i++) expect((await graph.request(LISTING, { first: 3 })).body.errors).toBeUndefined();
    expect((await graph.request(CATEGORIES, {})).body.errors).toBeUndefined();
    const live = graph.gatewayUrls.marketing;
    graph.gatewayUrls.marketing = DEAD_URL;
    try {
      for (let i = 0; i < 2; i++) {
        const res = await graph.request(LISTING, { first: 3 });
        expect(res.body.errors?.some((e) => e.extensions?.service === 'marketing')).toBe(true);
      }
    } finally {
      graph.gatewayUrls.marketing = live;
    }

    // Scrapes land every second: wait for one taken after the last request was recorded.
    const countIn = (samples: Sample[], operationName: string, result: string) =>
      Number(samples.find((s) => s.metric.operation === operationName && s.metric.result === result)?.value[1] ?? 0);
    const perOperation = await eventually(
      'sum by (operation, result) (graph_gateway_request_duration_seconds_count)',
      (r) => countIn(r, 'CategoryListing', 'partial') >= 2 && countIn(r, 'CategoryListing', 'ok') >= 3 && countIn(r, 'Categories', 'ok') >= 1,
    );
    const count = (operationName: string, result: string) => countIn(perOperation, operationName, result);
    expect(count('CategoryListing', 'ok')).toBeGreaterThanOrEqual(3);
    expect(count('CategoryListing', 'partial')).toBe(2);
    expect(count('Categories', 'ok')).toBe(1);

    // The histogram itself: buckets per operation, so a quantile can be computed for each (over the
    // cumulative counts: the first scrape may come after every request, leaving no rate to take).
    const listingP95 = (r: Sample[]) => Number(r.find((s) => s.metric.operation === 'CategoryListing')?.value[1]);
    const p95 = await eventually(
      'histogram_quantile(0.95, sum by (operation, le) (graph_gateway_request_duration_seconds_bucket))',
      (r) => listingP95(r) > 0,
    );
    expect(listingP95(p95)).toBeGreaterThan(0);

    const fetchErrors = await eventually('graph_gateway_subgraph_fetch_errors_total', (r) => r.some((s) => s.metric.subgraph === 'marketing'));
    expect(fetchErrors.filter((s) => s.metric.subgraph === 'marketing').map((s) => s.metric.code)).toContain('SERVICE_UNAVAILABLE');
    expect(fetchErrors.some((s) => s.metric.subgraph === 'product')).toBe(false);

    // The subgraphs' own series are scraped as well.
    const batches = await eventually('sum by (field) (graph_dataloader_batch_size_count)', (r) => r.length > 0);
    expect(batches.map((s) => s.metric.field)).toContain('Product.priceRange');
  }, 240_000);

  it('accepts every query of the Grafana dashboard', async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/grafana/graph-dashboard.json'), 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr.replaceAll('$__rate_interval', '1m'));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      expect(res.status, `${expr}: ${await res.clone().text()}`).toBe(200);
    }
  });
});

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Queries Prometheus until the answer satisfies `ok` (a scrape happens every second). */
async function eventually(query: string, ok: (samples: Sample[]) => boolean, timeoutMs = 90_000): Promise<Sample[]> {
  const until = Date.now() + timeoutMs;
  let last: Sample[] = [];
  while (Date.now() < until) {
    try {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
      if (res.ok) {
        const body = (await res.json()) as { data: { result: Sample[] } };
        last = body.data.result;
        if (ok(last)) return last;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Prometheus never answered ${query} as expected; last: ${JSON.stringify(last)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
