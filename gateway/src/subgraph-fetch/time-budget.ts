import type { RequestContext } from '@ecom/platform/request-context';

/**
 * Below this much of the request's budget a fetch is not started: no subgraph answers a batch in
 * less, so the field gets its typed TIMEOUT at once instead of a request that is bound to be cut off.
 */
export const MIN_USEFUL_BUDGET_MS = 15;

export interface BudgetSettings {
  /** Budget for a subgraph call made outside a client request (none today, kept safe anyway). */
  defaultBudgetMs: number;
  /** Longest a read may wait for this subgraph, whatever is left of the request's deadline. */
  queryTimeoutMs: number;
}

export interface FetchBudget {
  /** What is left of the client request's deadline: the fetch gives up then, whoever is slow. */
  remainingMs: number;
  /** The subgraph's own timeout from the moment the request is written, when it is shorter than what is left. */
  subgraphTimeoutMs?: number;
  /** What travels in x-deadline-ms: the most the subgraph may spend. */
  sentMs: number;
}

/**
 * What this fetch may take: a read gives up after the subgraph's own timeout, a mutation only at the
 * deadline. A timeout the deadline cuts short is the deadline's, so it is not the subgraph's timeout.
 */
export function fetchBudget(context: Partial<RequestContext>, settings: BudgetSettings, mutation: boolean, now = Date.now()): FetchBudget {
  const remainingMs = context.deadline ? Math.max(0, context.deadline - now) : settings.defaultBudgetMs;
  if (mutation || settings.queryTimeoutMs >= remainingMs) return { remainingMs, sentMs: remainingMs };
  return { remainingMs, subgraphTimeoutMs: settings.queryTimeoutMs, sentMs: settings.queryTimeoutMs };
}
