import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric of a process, in one prom-client registry, served as Prometheus text on the metrics
 * port (never the client port). prom-client rather than the OpenTelemetry metrics SDK: it is the
 * pull model Prometheus scrapes natively, with no SDK, reader or exporter between a `.inc()` and
 * the scrape, and one registry per process is all a process needs. Traces stay on OpenTelemetry.
 *
 * Series carry no `service` label: each process has its own metrics port, and Prometheus's `job`
 * and `instance` say which process a series came from. (In-process tests run several subgraphs in
 * one process and see one registry; they assert on the labels that matter.)
 */
export const registry = new Registry();

/** Latency buckets in seconds, around the SLOs (order creation P95 < 200 ms, P99 < 500 ms). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

// --- gateway ---

export const gatewayRequestDuration = new Histogram({
  name: 'graph_gateway_request_duration_seconds',
  help: 'Client requests at the gateway, by operation, its type, client name and result (ok, partial, or the error code).',
  labelNames: ['operation', 'operation_type', 'client', 'result'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const subgraphFetchDuration = new Histogram({
  name: 'graph_gateway_subgraph_fetch_duration_seconds',
  help: 'Gateway → subgraph fetches, by subgraph and result (ok or the error code).',
  labelNames: ['subgraph', 'result'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const subgraphFetchErrors = new Counter({
  name: 'graph_gateway_subgraph_fetch_errors_total',
  help: 'Failed gateway → subgraph fetches (or fetches answered with errors), by subgraph and error code.',
  labelNames: ['subgraph', 'code'] as const,
  registers: [registry],
});

export const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;
export type BreakerState = keyof typeof BREAKER_STATES;

export const breakerState = new Gauge({
  name: 'graph_gateway_breaker_state',
  help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open.',
  labelNames: ['subgraph'] as const,
  registers: [registry],
});

export const refusedRequests = new Counter({
  name: 'graph_gateway_refused_requests_total',
  help: 'Requests turned away before or by admission, by reason (rate_limited, overloaded, too_complex, ...) and code.',
  labelNames: ['reason', 'code'] as const,
  registers: [registry],
});

export const inFlightRequests = new Gauge({
  name: 'graph_gateway_in_flight_requests',
  help: 'Client requests admitted and being answered now (admission control keeps it).',
  registers: [registry],
});

export const admissionRequests = new Counter({
  name: 'graph_gateway_admission_total',
  help: 'Admission control decisions by lane (checkout, mutation, read), outcome (admitted, queued, refused) and reason (immediate, after_queue, limit, queue_full, expected_wait, queue_timeout, principal_share).',
  labelNames: ['lane', 'outcome', 'reason'] as const,
  registers: [registry],
});

export const admissionLimit = new Gauge({
  name: 'graph_gateway_concurrency_limit',
  help: 'The adaptive concurrency limit: requests the gateway runs at once before it queues or refuses (reads).',
  registers: [registry],
});

export const admissionQueueWait = new Histogram({
  name: 'graph_gateway_admission_queue_wait_seconds',
  help: 'How long admitted requests waited for a slot, by lane.',
  labelNames: ['lane'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
  registers: [registry],
});

// --- every subgraph (and the gateway where it applies) ---

export const deadlineHits = new Counter({
  name: 'graph_deadline_exceeded_total',
  help: 'Work abandoned because its time budget ran out, by where (a field batch, a subgraph fetch, a request).',
  labelNames: ['where', 'field'] as const,
  registers: [registry],
});

export const loaderBatchSize = new Histogram({
  name: 'graph_dataloader_batch_size',
  help: 'Keys per DataLoader batch, by field.',
  labelNames: ['field'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  registers: [registry],
});

export const dbPoolConnections = new Gauge({
  name: 'graph_db_pool_connections',
  help: 'Database connections of this process by state: in_use, idle, and waiting (work queued for a connection); PGlite counts as one connection.',
  labelNames: ['state'] as const,
  registers: [registry],
});

export const idempotencyOutcomes = new Counter({
  name: 'graph_idempotency_outcomes_total',
  help: 'Idempotent mutations answered from a stored result (replay) or refused for a reused key (conflict).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const backgroundFailures = new Counter({
  name: 'graph_background_failures_total',
  help: 'Runs of periodic background work (sweepers, relays) that failed, by task.',
  labelNames: ['task'] as const,
  registers: [registry],
});

export const orderEvents = new Counter({
  name: 'graph_orders_total',
  help: 'Orders by what happened to them: placed, paid, cancelled, expired.',
  labelNames: ['event'] as const,
  registers: [registry],
});

export const reservationsHeld = new Gauge({
  name: 'graph_reservations_held',
  help: 'Stock reservations currently held (not yet committed, released or expired).',
  registers: [registry],
});

// --- events (outbox relays and consumers) ---

export const outboxBacklogAge = new Gauge({
  name: 'graph_outbox_backlog_age_seconds',
  help: 'Age of the oldest unpublished outbox event, read at scrape time (0 when the outbox is empty), by producer.',
  labelNames: ['producer'] as const,
  registers: [registry],
});

export const eventsPublished = new Counter({
  name: 'graph_events_published_total',
  help: 'Outbox events the broker (or spool) confirmed and the relay marked sent, by producer and event type.',
  labelNames: ['producer', 'type'] as const,
  registers: [registry],
});

export const eventPublishFailures = new Counter({
  name: 'graph_events_publish_failures_total',
  help: 'Publish attempts that failed (broker down, nack, timeout; the relay retries), by producer and event type.',
  labelNames: ['producer', 'type'] as const,
  registers: [registry],
});

export const eventsConsumed = new Counter({
  name: 'graph_events_consumed_total',
  help: 'Event handling attempts, by consumer, event type and outcome (applied, duplicate, failed).',
  labelNames: ['consumer', 'type', 'outcome'] as const,
  registers: [registry],
});

export const eventConsumerLag = new Histogram({
  name: 'graph_event_consumer_lag_seconds',
  help: 'From an event occurring (its outbox commit) to a consumer handling it, by consumer.',
  labelNames: ['consumer'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  registers: [registry],
});

export const eventsDeadLettered = new Counter({
  name: 'graph_events_dead_lettered_total',
  help: "Events moved to a consumer's dead-letter queue after their last attempt (or unreadable), by consumer and event type.",
  labelNames: ['consumer', 'type'] as const,
  registers: [registry],
});

export const subgraphRequests = new Histogram({
  name: 'graph_subgraph_request_duration_seconds',
  help: 'Requests a subgraph answered, by operation and result (ok or the first error code).',
  labelNames: ['operation', 'result'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const shedRequests = new Counter({
  name: 'graph_subgraph_shed_requests_total',
  help: 'Requests a subgraph refused at once with OVERLOADED (HTTP 503) instead of queueing them, by service and reason (deadline, event_loop, db_pool).',
  labelNames: ['service', 'reason'] as const,
  registers: [registry],
});

let defaultsCollected = false;

/** Node process metrics (CPU, memory, event loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry });
}

export function observeBreaker(subgraph: string, state: BreakerState): void {
  breakerState.set({ subgraph }, BREAKER_STATES[state]);
}

/**
 * A gauge whose value is read at scrape time (a backlog age, a pool size, a count of held rows):
 * the reader runs once per scrape, and a failing one leaves the last value standing.
 */
export function gaugeFromReader<L extends string>(
  gauge: Gauge<L>,
  read: () => Promise<number> | number,
  labels: Partial<Record<L, string>> = {},
): () => void {
  let stopped = false;
  const collect = async () => {
    if (stopped) return;
    try {
      gauge.set(labels, await read());
    } catch {
      // The scrape still answers; a dead database shows up in readiness and in fetch errors.
    }
  };
  readers.add(collect);
  return () => {
    stopped = true;
    readers.delete(collect);
  };
}

const readers = new Set<() => Promise<void>>();

export interface MetricsServer {
  port: number;
  stop(): Promise<void>;
}

/** `GET /metrics` (Prometheus text) on its own port; anything else is 404. Port 0 picks a free one. */
export async function startMetricsServer(port: number, host?: string): Promise<MetricsServer> {
  collectProcessMetrics();
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.statusCode = 404;
      res.end('not found\n');
      return;
    }
    void Promise.all([...readers].map((r) => r()))
      .then(() => registry.metrics())
      .then(
        (text) => {
          res.setHeader('content-type', registry.contentType);
          res.end(text);
        },
        () => {
          res.statusCode = 500;
          res.end('metrics unavailable\n');
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
