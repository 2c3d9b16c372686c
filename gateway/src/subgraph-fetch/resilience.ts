import { DEFAULT_BREAKER, type BreakerSettings } from './subgraph-breaker.ts';

/**
 * How the gateway keeps a listing on time when a subgraph is slow, failing or down. The defaults
 * hold the contract's promise: with one of pricing, inventory or marketing stalled, a 48-product
 * listing answers within 500 ms: 380 ms of waiting at most, and the rest kept for merging,
 * serialising and a loaded machine.
 */
export interface ResilienceSettings {
  /** Overall deadline of a read; what is left of it travels to every subgraph. */
  queryDeadlineMs: number;
  /** Overall deadline of a mutation (sagas take longer; never cut into a fallback). */
  mutationDeadlineMs: number;
  /** Longest a read waits for one subgraph fetch. */
  subgraphTimeoutMs: number;
  perSubgraphTimeoutMs: Record<string, number>;
  breaker: BreakerSettings;
}

export const DEFAULT_RESILIENCE: ResilienceSettings = {
  queryDeadlineMs: 380,
  mutationDeadlineMs: 10_000,
  subgraphTimeoutMs: 330,
  perSubgraphTimeoutMs: {},
  breaker: DEFAULT_BREAKER,
};
