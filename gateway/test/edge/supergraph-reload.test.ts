import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPublishedSupergraph } from '@ecom/schema/compose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supergraphFromFile } from '../../src/supergraph-source.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { codeOf, extraGateway, logSink, post, type EdgeResponse, type ExtraGateway } from './support.ts';

const STABLE = '{ categories { id name } }';
const NEW_FIELD = '{ categories { id slug } }';

/** The published supergraph without `Category.slug`: the version before the field was added. */
function withoutCategorySlug(sdl: string): string {
  const start = sdl.indexOf('type Category\n');
  const end = sdl.indexOf('}', start);
  const block = sdl.slice(start, end);
  expect(block).toContain('  slug: String!\n');
  return sdl.slice(0, start) + block.replace('  slug: String!\n', '') + sdl.slice(end);
}

let graph: Graph;
let dir: string;
let path: string;
let gateway: ExtraGateway;
const logs = logSink();
const published = readPublishedSupergraph();

/** How a deploy swaps the file: write aside, then rename over it. */
function publish(sdl: string) {
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, sdl);
  renameSync(aside, path);
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

beforeAll(async () => {
  graph = await startGraph();
  dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
  path = join(dir, 'supergraph.graphql');
  writeFileSync(path, withoutCategorySlug(published));
  const logger = pino({ level: 'info' }, logs.stream);
  gateway = await extraGateway(graph, {
    logger,
    supergraphSdl: supergraphFromFile(path, { pollIntervalMs: 50, logger }),
    // About the reload, not latency: four clients on a loaded 2-core machine must not lose a fetch to the 330 ms budget.
    resilience: { queryDeadlineMs: 10_000, subgraphTimeoutMs: 10_000 },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await graph?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('supergraph hot reload', () => {
  it('picks up a changed file while under load, drops no request, and serves the new field', async () => {
    const before = await post(gateway.url, { query: NEW_FIELD });
    expect(codeOf(before)).toBe('INVALID_INPUT');

    // A watcher asks for the new field throughout; the load runs at least 200 requests and until
    // the new field is served, so the reload happens under load by construction.
    let picked = false;
    const watcher = until(async () => {
      const res = await post(gateway.url, { query: NEW_FIELD });
      picked = res.status === 200 && res.body.errors === undefined;
      return picked;
    });

    const results: EdgeResponse[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 200 || (!picked && next < 2_000)) {
        const index = next++;
        if (index === 50) publish(published);
        results.push(await post(gateway.url, { query: STABLE }, { 'apollographql-client-name': 'web' }));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);

    expect(await watcher).toBe(true);
    expect(results.length).toBeGreaterThanOrEqual(200);
    const failed = results.filter((r) => r.status !== 200 || r.body.errors !== undefined);
    expect(failed.map((r) => r.text)).toEqual([]);
    expect(results.every((r) => (r.body.data as { categories: unknown[] }).categories.length >= 6)).toBe(true);

    const after = await post<{ categories: { id: string; slug: string }[] }>(gateway.url, { query: NEW_FIELD });
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data!.categories.every((c) => typeof c.slug === 'string' && c.slug.length > 0)).toBe(true);
    expect(logs.lines.some((l) => l.msg === 'supergraph reloaded')).toBe(true);
  });

  it('keeps the previous supergraph when the new file does not build, says so, and takes the next good one', async () => {
    publish('type Query { this is not a supergraph');
    expect(await until(async () => logs.lines.some((l) => String(l.msg).includes('does not build')))).toBe(true);
    const kept = await post(gateway.url, { query: NEW_FIELD });
    expect(kept.body.errors).toBeUndefined();
    expect(await readyz()).toBe(200);

    // Valid GraphQL but not a supergraph (no @link/join): refused the same way.
    const errorsBefore = logs.lines.filter((l) => String(l.msg).includes('does not build')).length;
    publish('type Query { hello: String }');
    expect(await until(async () => logs.lines.filter((l) => String(l.msg).includes('does not build')).length > errorsBefore)).toBe(true);
    expect((await post(gateway.url, { query: STABLE })).body.errors).toBeUndefined();

    publish(withoutCategorySlug(published));
    expect(await until(async () => codeOf(await post(gateway.url, { query: NEW_FIELD })) === 'INVALID_INPUT')).toBe(true);
    expect((await post(gateway.url, { query: STABLE })).body.errors).toBeUndefined();
  });
});

async function readyz(): Promise<number> {
  return (await fetch(gateway.url.replace(/\/graphql$/, '/readyz'))).status;
}
