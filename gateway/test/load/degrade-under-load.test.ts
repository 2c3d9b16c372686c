import { DEFAULT_FIELD_BUDGETS } from '@ecom/platform/deadline';
import { noFaults, type FaultInjection } from '@ecom/platform/fault-injection';
import { createLogger } from '@ecom/platform/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMISSION } from '../../src/edge/admission-control.ts';
import { DEFAULT_RESILIENCE } from '../../src/subgraph-fetch/resilience.ts';
import { logSink } from '../edge/support.ts';
import { runClosedLoop, summarise, type Answer } from '../support/closed-loop.ts';
import { startGraph, type Graph } from '../support/graph.ts';
import { operation } from '../support/operations.ts';
import { ADDRESS, mutate, shopperWithCart, variantsInStock } from '../mutations/shopper.ts';

/**
 * The graph as `npm start` configures it (production deadlines, breakers and admission control)
 * under more closed-loop shoppers than it can serve: it degrades, never collapses. Runs on the
 * embedded default and, in CI's other pass, on the real Postgres and Redis.
 */
const LISTING = JSON.stringify({ query: operation('web/CategoryListing'), variables: { first: 48 } });
const pricingFaults: FaultInjection = noFaults();
const logs = logSink();
let graph: Graph;
let tokens: string[];

beforeAll(async () => {
  const real = { ...DEFAULT_FIELD_BUDGETS };
  graph = await startGraph({
    config: Object.fromEntries(
      ['product', 'pricing', 'inventory', 'cart', 'order', 'marketing'].map((n) => [
        n,
        { fieldBudgets: real, ...(n === 'pricing' ? { faults: pricingFaults } : {}) },
      ]),
    ),
    gateway: { resilience: DEFAULT_RESILIENCE, admission: DEFAULT_ADMISSION, logger: createLogger('gateway', 'info', logs.stream) },
  });
  tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => graph.token(`shopper-${i}`)));
  // Warm the query plan, the JIT and the last-known values.
  await runClosedLoop({ url: graph.url, body: LISTING, tokens: tokens.slice(0, 2), durationMs: 3_000 });
});
afterAll(async () => {
  await graph?.stop();
});

const breakerOpenings = () => logs.lines.filter((l) => l.msg === 'circuit breaker opened');
const failures = (answers: Answer[]) => answers.filter((a) => a.outcome === 'failed');

describe('under more load than the graph can serve', () => {
  it('64 closed-loop listing clients: every answer is complete, a typed partial answer or OVERLOADED, no breaker opens, and checkouts still go through', async () => {
    const [variant] = await variantsInStock(graph, 20);
    const buyers = await Promise.all([1, 2, 3, 4, 5].map((i) => shopperWithCart(graph, `buyer-${i}`, variant!, 1)));
    const opened = breakerOpenings().length;
    const load = runClosedLoop({ url: graph.url, body: LISTING, tokens, durationMs: 10_000 });
    // Five checkouts a second while the listings saturate the gateway: the checkout lane starts them.
    await new Promise((r) => setTimeout(r, 3_000));
    const orders = await Promise.all(
      buyers.map(async ({ token, cart }, i) => {
        await new Promise((r) => setTimeout(r, i * 200));
        return mutate(graph, 'placeOrder', { cartId: cart.id, shippingAddress: ADDRESS }, token);
      }),
    );
    const answers = await load;
    const summary = summarise(answers, 10_000);
    console.log('64 clients', summary);
    // In one process the subgraphs share the gateway's CPU, so a subgraph can be slow without the
    // event loop lagging: on CI's Postgres pass one listing in ~500 timed out at its root. Outright
    // failures stay under 1 %; `npm run bench` (separate processes) is where zero is to be shown.
    expect(failures(answers).length, JSON.stringify(failures(answers).slice(0, 3))).toBeLessThanOrEqual(Math.floor(answers.length / 100));
    expect(summary.complete).toBeGreaterThan(0);
    expect(breakerOpenings().length).toBe(opened);
    expect(orders.map((o) => o.__typename)).toEqual(['Order', 'Order', 'Order', 'Order', 'Order']);
  });

  it("with the gateway's CPU saturated by other work and every subgraph healthy, no breaker opens", async () => {
    const opened = breakerOpenings().length;
    // Another tenant of the process: 30 ms of every 40 ms spent off the event loop's queue.
    const burner = setInterval(() => {
      const until = performance.now() + 30;
      while (performance.now() < until);
    }, 40);
    try {
      const answers = await runClosedLoop({ url: graph.url, body: LISTING, tokens: tokens.slice(0, 16), durationMs: 6_000 });
      console.log('16 clients, CPU saturated', summarise(answers, 6_000));
      expect(failures(answers).slice(0, 3)).toEqual([]);
    } finally {
      clearInterval(burner);
    }
    expect(breakerOpenings().length).toBe(opened);
  });

  // How fast (the contract's 500 ms) is the benchmark's to measure (`npm run bench`, goodput); this
  // checks what the answers are.
  it('with pricing stalled, 16 clients still get their listing with the other fields intact and a typed error for the prices', async () => {
    Object.assign(pricingFaults, { mode: 'delay', delayMs: 5_000 });
    try {
      const answers = await runClosedLoop({ url: graph.url, body: LISTING, tokens: tokens.slice(0, 16), durationMs: 8_000 });
      const summary = summarise(answers, 8_000);
      console.log('16 clients, pricing stalled', summary);
      expect(failures(answers).slice(0, 3)).toEqual([]);
      expect(summary.partial).toBeGreaterThan(0);
      // Stock and badges came back on every answer: only pricing's fields are missing.
      expect(new Set(answers.flatMap((a) => a.services ?? []))).toEqual(new Set(['pricing']));
    } finally {
      Object.assign(pricingFaults, noFaults());
    }
  });
});
