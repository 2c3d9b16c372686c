import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { observeBreaker, subgraphFetchDuration, subgraphFetchErrors } from '@ecom/platform/metrics';
import type CircuitBreaker from 'opossum';
import type { RequestContext } from '@ecom/platform/request-context';

/**
 * Times every fetch of one subgraph's data source and counts the failed ones by code — a fetch that
 * throws (a mutation's fault), or one answered with errors (the subgraph's own, or the typed fault a
 * failed read is turned into: TIMEOUT, SERVICE_UNAVAILABLE) — and counts the fetch in the request's
 * cost. Wraps whatever data source the gateway builds, so the fetch path itself stays untouched.
 */
export function withFetchMetrics<T extends GraphQLDataSource<RequestContext>>(
  subgraph: string,
  source: T,
  countFetch: (requestId: string | undefined) => void,
): T {
  const process = source.process.bind(source);
  source.process = async (options: GraphQLDataSourceProcessOptions<RequestContext>) => {
    const started = performance.now();
    countFetch((options.context as Partial<RequestContext> | undefined)?.requestId);
    const done = (codes: string[]) => {
      subgraphFetchDuration.observe({ subgraph, result: codes[0] ?? 'ok' }, (performance.now() - started) / 1000);
      for (const code of new Set(codes)) subgraphFetchErrors.inc({ subgraph, code });
    };
    try {
      const response = await process(options);
      done((response.errors ?? []).map((e) => codeOf(e)));
      return response;
    } catch (error) {
      done([codeOf(error)]);
      throw error;
    }
  };
  return source;
}

function codeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/** The breaker's state as a gauge per subgraph (0 closed, 1 half-open, 2 open), from opossum's events. */
export function exportBreakerState(subgraph: string, breaker: Pick<CircuitBreaker, 'on'>): void {
  observeBreaker(subgraph, 'closed');
  breaker.on('open', () => observeBreaker(subgraph, 'open'));
  breaker.on('halfOpen', () => observeBreaker(subgraph, 'half-open'));
  breaker.on('close', () => observeBreaker(subgraph, 'closed'));
}
