import { randomUUID } from 'node:crypto';
import type { RequestContext } from '@ecom/platform/request-context';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';

/** Who a saga step calls siblings as: the request's identity, id and deadline. */
export interface Caller {
  subgraphs: SubgraphClient;
  ctx: Pick<RequestContext, 'requestId' | 'principal' | 'deadline'>;
}

/** For work no request is waiting on (sweeper, relay): a fresh id and a budget of its own. */
export function backgroundCaller(subgraphs: SubgraphClient, label: string, userId: string | null = null, budgetMs = 5_000): Caller {
  return {
    subgraphs,
    ctx: { requestId: `${label}-${randomUUID()}`, principal: { userId, roles: [] }, deadline: Date.now() + budgetMs },
  };
}
