/**
 * The whole graph in one child process for the benchmark (in-memory PGlite, production deadlines
 * and breakers), with one subgraph optionally stalled. Prints `READY <gateway url>` when it serves.
 */
import { DEFAULT_FIELD_BUDGETS } from '@ecom/platform/deadline';
import { noFaults } from '@ecom/platform/fault-injection';
import { DEFAULT_RESILIENCE } from '../src/subgraph-fetch/resilience.ts';
import { startGraph } from '../test/support/graph.ts';

const stalled = process.argv[2]; // e.g. pricing, or "none"
const faults = noFaults();
if (stalled && stalled !== 'none') Object.assign(faults, { mode: 'delay', delayMs: 5_000 });

const graph = await startGraph({
  config: Object.fromEntries(
    ['product', 'pricing', 'inventory', 'cart', 'order', 'marketing'].map((n) => [
      n,
      { fieldBudgets: DEFAULT_FIELD_BUDGETS, ...(n === stalled ? { faults } : {}) },
    ]),
  ),
  gateway: { resilience: DEFAULT_RESILIENCE },
});
console.log(`READY ${graph.url}`);
process.on('SIGTERM', () => void graph.stop().then(() => process.exit(0)));
