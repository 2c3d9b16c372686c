/**
 * The whole graph in one child process (in-memory PGlite, production deadlines and breakers) with
 * OpenTelemetry set up from this process's OTEL_* variables, as index.ts does. For trace-cost.ts.
 * Prints `READY <gateway url>` when it serves.
 */
import { DEFAULT_FIELD_BUDGETS } from '@ecom/platform/deadline';
import { SUBGRAPH_NAMES } from '@ecom/platform/env';
import { startTelemetry } from '@ecom/platform/telemetry';
import { loadTelemetryEnv } from '../src/env.ts';
import { DEFAULT_RESILIENCE } from '../src/subgraph-fetch/resilience.ts';
import { startGraph } from '../test/support/graph.ts';

const telemetry = startTelemetry(loadTelemetryEnv());
const graph = await startGraph({
  config: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { fieldBudgets: DEFAULT_FIELD_BUDGETS }])),
  gateway: { resilience: DEFAULT_RESILIENCE },
});
console.log(`READY ${graph.url}`);
process.on(
  'SIGTERM',
  () =>
    void graph
      .stop()
      .then(() => telemetry.shutdown())
      .then(() => process.exit(0)),
);
