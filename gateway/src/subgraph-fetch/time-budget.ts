import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { HEADERS, type RequestContext } from '@ecom/platform/request-context';

/** The shortest budget worth sending: below it the subgraph could not answer in time anyway. */
const MIN_BUDGET_MS = 1;

export interface BudgetSettings {
  /** Budget for a subgraph call made outside a client request (none today, kept safe anyway). */
  defaultBudgetMs: number;
  /** Longest a read may wait for this subgraph, whatever is left of the request's deadline. */
  queryTimeoutMs: number;
}

/** What this fetch may take: a read gives up after the subgraph's own timeout, a mutation only at the deadline. */
export function fetchBudgetMs(context: Partial<RequestContext>, settings: BudgetSettings, mutation: boolean, now = Date.now()): number {
  const remaining = context.deadline ? Math.max(MIN_BUDGET_MS, context.deadline - now) : settings.defaultBudgetMs;
  return mutation ? remaining : Math.min(remaining, settings.queryTimeoutMs);
}

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * The budget travels in x-deadline-ms; the fetch gives up when it is spent. A signal, not
 * make-fetch-happen's `timeout`: that one is part of its agent cache key, so every distinct budget
 * would get a fresh agent and no connection would ever be reused.
 */
export function fetcherWithBudget(base: Fetcher, defaultBudgetMs: number): Fetcher {
  return (url, init) => {
    const budget = Number(init?.headers && init.headers[HEADERS.deadline]);
    const signal = AbortSignal.timeout(Number.isFinite(budget) && budget > 0 ? budget : defaultBudgetMs);
    return base(url, { ...init, signal });
  };
}
