import CircuitBreaker from 'opossum';
import type { Logger } from '@ecom/platform/logger';
import { instantSpan } from '@ecom/platform/tracing';
import { exportBreakerState } from './fetch-metrics.ts';
import { SubgraphFetchError } from './subgraph-transport.ts';

export interface BreakerSettings {
  /** Failure share (percent) in the rolling window that opens the breaker. */
  errorThresholdPercentage: number;
  /** Requests in the window before the share counts, so one early failure does not open it. */
  volumeThreshold: number;
  /** How long an open breaker answers at once before letting one probe through. */
  resetTimeoutMs: number;
  rollingWindowMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 2_000,
  rollingWindowMs: 10_000,
};

/** Thrown instead of calling a subgraph whose breaker is open. */
export class BreakerOpenError extends Error {
  constructor(readonly service: string) {
    super(`circuit open for ${service}`);
  }
}

/**
 * Whether a failed fetch was the subgraph's doing: no answer within its timeout after the request
 * was written (and not because this event loop lagged), a refused, reset or closed connection, or
 * a 5xx answer (its own 503 OVERLOADED included). The client request's deadline running out, a
 * fetch not started for lack of budget, a wait for a connection, or a 4xx (our request was wrong)
 * are the gateway's: they must never open a healthy subgraph's breaker.
 */
export function blamesSubgraph(error: unknown): boolean {
  if (error instanceof SubgraphFetchError) return error.blame === 'subgraph';
  const status = (error as { extensions?: { response?: { status?: unknown } } }).extensions?.response?.status;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/**
 * One breaker per subgraph (opossum), counting only what blamesSubgraph says is the subgraph's
 * (opossum counts a filtered error as a success: it is no evidence against the subgraph); a
 * subgraph's GraphQL errors do not count either (it answered). While open, fetches fail at once
 * and the caller serves what it can; after `resetTimeoutMs` one probe decides whether to close again.
 */
export function createSubgraphBreaker<T>(
  service: string,
  settings: BreakerSettings,
  logger: Logger,
): { fire(run: () => Promise<T>): Promise<T>; readonly state: 'closed' | 'open' | 'half-open'; shutdown(): void } {
  const breaker = new CircuitBreaker(async (run: () => Promise<T>) => run(), {
    timeout: false, // the fetch carries its own abort deadline
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetTimeoutMs,
    rollingCountTimeout: settings.rollingWindowMs,
    rollingCountBuckets: 10,
    errorFilter: (error: unknown) => !blamesSubgraph(error),
  });
  exportBreakerState(service, breaker);
  breaker.on('open', () => logger.warn({ service }, 'circuit breaker opened'));
  breaker.on('halfOpen', () => logger.info({ service }, 'circuit breaker probing'));
  breaker.on('close', () => logger.info({ service }, 'circuit breaker closed'));
  const traceState = (state: 'open' | 'half-open' | 'closed') => () =>
    instantSpan(`circuit breaker ${state}`, { 'peer.service': service, 'breaker.state': state });
  breaker.on('open', traceState('open'));
  breaker.on('halfOpen', traceState('half-open'));
  breaker.on('close', traceState('closed'));
  return {
    async fire(run) {
      try {
        return await breaker.fire(run);
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') throw new BreakerOpenError(service);
        throw err;
      }
    },
    get state() {
      return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
    },
    shutdown: () => breaker.shutdown(),
  };
}
