import { getOperationAST, parse, type GraphQLError } from 'graphql';
import type { PoolWatch } from './db-pool-usage.ts';
import { fault } from './errors.ts';
import { shedRequests } from './metrics.ts';
import type { CallerName, SubgraphName } from './subgraph-names.ts';
import { annotateSpan } from './tracing.ts';

/**
 * A subgraph under load refuses work it cannot finish in time, at once (HTTP 503, `OVERLOADED`),
 * instead of queueing it on its event loop or in its database pool until the caller's deadline has
 * passed. The caller then knows within milliseconds that nothing ran, and the work that does run
 * still has a loop and connections to run on.
 *
 * Three signals, each cheap to read per request:
 * - the deadline the request carries (`x-deadline-ms`, what was left when the caller sent it),
 *   less the time it has already spent in this process;
 * - event-loop lag: how late a 20 ms timer fires, averaged over time (below);
 * - a standing queue for database connections (below).
 *
 * Mutations carry idempotency keys, so a refused one is safe to retry; still, a checkout refused is
 * a sale delayed, and a saga step refused half way makes the saga compensate. So a mutation is shed
 * only when its deadline is spent or the loop is extremely late (`mutationEventLoopLagMs`, where it
 * could not finish in time anyway); never for the database queue, which it joins as any transaction.
 * A sibling's call (cart pricing a quote for order's placeOrder, the saga's steps) is part of work
 * already admitted upstream, and is treated as a mutation whatever its operation.
 */
export interface LoadSheddingSettings {
  /** A request with less than this left of its deadline is refused (a mutation only then). */
  minDeadlineMs: number;
  /** Reads are refused while the event loop lags more than this (time-averaged); 0: never. */
  eventLoopLagMs: number;
  /** Mutations are refused while the loop lags more than this; 0: never. */
  mutationEventLoopLagMs: number;
  /** Reads are refused while more than this many times the pool's size wait for a connection…; 0: never. */
  dbWaitingPerConnection: number;
  /** …and have done so without a break for this long (a burst that drains is not a standing queue). */
  dbStandingMs: number;
}

export const DEFAULT_LOAD_SHEDDING: LoadSheddingSettings = {
  minDeadlineMs: 5,
  eventLoopLagMs: 100,
  mutationEventLoopLagMs: 1_000,
  dbWaitingPerConnection: 2,
  dbStandingMs: 100,
};

export type ShedReason = 'deadline' | 'event_loop' | 'db_pool';

export interface ShedRequest {
  /** `x-deadline-ms` as received (ms left when the caller sent it); undefined when absent or unreadable. */
  budgetMs: number | undefined;
  /** Time already spent in this process (reading the body, checking the signature). */
  waitedMs: number;
  /** Who signed the request: the gateway, or a sibling subgraph. */
  caller: CallerName;
  /** Asked only when something would refuse the request: parsing the document costs. */
  isMutation: () => boolean;
}

export interface LoadShedder {
  /** Why this request is refused now, or undefined to run it. Counts and traces each refusal. */
  check(request: ShedRequest): ShedReason | undefined;
  /** What a refused request is answered with (HTTP 503). */
  refusal(reason: ShedReason): GraphQLError;
  stop(): void;
}

export function createLoadShedder(service: SubgraphName, settings: LoadSheddingSettings, pool?: PoolWatch): LoadShedder {
  eventLoopLag.acquire();
  const dbQueue = pool && settings.dbWaitingPerConnection > 0 ? watchStandingQueue(pool, settings) : undefined;
  const shed = (reason: ShedReason): ShedReason => {
    shedRequests.inc({ service, reason });
    annotateSpan({ 'load.shed': reason });
    return reason;
  };
  let stopped = false;
  return {
    check({ budgetMs, waitedMs, caller, isMutation }) {
      const remaining = budgetMs === undefined ? undefined : budgetMs - waitedMs;
      const lag = eventLoopLag.current();
      // What took this long to get here is likely to take as long again before it is done.
      const readReason: ShedReason | undefined =
        remaining !== undefined && remaining < Math.max(settings.minDeadlineMs, waitedMs)
          ? 'deadline'
          : settings.eventLoopLagMs > 0 && lag > settings.eventLoopLagMs
            ? 'event_loop'
            : dbQueue?.standing()
              ? 'db_pool'
              : undefined;
      if (readReason === undefined) return undefined;
      if (caller === 'gateway' && !isMutation()) return shed(readReason);
      if (remaining !== undefined && remaining < settings.minDeadlineMs) return shed('deadline');
      if (settings.mutationEventLoopLagMs > 0 && lag > settings.mutationEventLoopLagMs) return shed('event_loop');
      return undefined;
    },
    refusal(reason) {
      return fault('OVERLOADED', `The ${service} service is at capacity right now. Retry shortly.`, { service, reason });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      dbQueue?.stop();
      eventLoopLag.release();
    },
  };
}

/** `x-deadline-ms` read as request-context.ts reads it: a positive number, else none. */
export function budgetOf(header: string | string[] | undefined): number | undefined {
  const budget = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(budget) && budget > 0 ? budget : undefined;
}

/** Whether a GraphQL request body runs a mutation; anything unreadable is treated as a read. */
export function isMutationBody(body: unknown): boolean {
  const { query, operationName } = (typeof body === 'object' && body !== null ? body : {}) as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return false;
  try {
    const operation = getOperationAST(parse(query, { noLocation: true }), typeof operationName === 'string' ? operationName : undefined);
    return operation?.operation === 'mutation';
  } catch {
    return false;
  }
}

/**
 * A queue for connections is standing when it has stayed above its bound, without once dropping
 * to it, for `dbStandingMs` (CoDel's idea, on the queue's length since the pool counts no waits).
 * A length alone would refuse healthy bursts: PGlite is one connection, so a few concurrent
 * statements always queue, and drain within milliseconds. Followed on every checkout and release,
 * so a dip between two requests is never missed.
 */
function watchStandingQueue(pool: PoolWatch, settings: LoadSheddingSettings): { standing(): boolean; stop(): void } {
  const bound = settings.dbWaitingPerConnection * pool.size;
  let aboveSince: number | undefined;
  const follow = (waiting: number) => {
    if (waiting <= bound) aboveSince = undefined;
    else aboveSince ??= performance.now();
  };
  follow(pool.waiting);
  const stop = pool.onChange(follow);
  return { standing: () => aboveSince !== undefined && performance.now() - aboveSince >= settings.dbStandingMs, stop };
}

const SAMPLE_MS = 20;
/** The lag is averaged with this time constant: a lone GC pause barely moves it, a saturated loop does within half a second. */
const LAG_TIME_CONSTANT_MS = 500;

/**
 * How late the event loop runs: a 20 ms timer's lateness, as an exponential average weighted by
 * the time each sample covers. Not `monitorEventLoopDelay`: its histogram holds one sample per
 * timer firing, and a saturated loop fires few, so a window's mean or percentile under-weights
 * exactly the long turns. A turn still running counts as it stands, so a burst of requests handled
 * in one long turn sees the lag grow while it is being handled. One timer per process (every
 * subgraph in it shares the loop), unreferenced, running while any subgraph server is.
 */
class EventLoopLag {
  private averageMs = 0;
  private sampledAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private users = 0;

  acquire(): void {
    if (this.users++ === 0) this.schedule();
  }

  release(): void {
    if (--this.users > 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.averageMs = 0;
  }

  current(now = performance.now()): number {
    if (this.timer === undefined) return 0;
    const late = Math.max(0, now - this.sampledAt - SAMPLE_MS);
    return late > this.averageMs ? this.blended(now, late) : this.averageMs;
  }

  private blended(now: number, lateMs: number): number {
    const weight = 1 - Math.exp(-(now - this.sampledAt) / LAG_TIME_CONSTANT_MS);
    return this.averageMs + (lateMs - this.averageMs) * weight;
  }

  private schedule(): void {
    this.sampledAt = performance.now();
    this.timer = setTimeout(() => {
      const now = performance.now();
      this.averageMs = this.blended(now, Math.max(0, now - this.sampledAt - SAMPLE_MS));
      this.schedule();
    }, SAMPLE_MS);
    this.timer.unref();
  }
}

const eventLoopLag = new EventLoopLag();
