import type { RequestContext } from '@ecom/platform/request-context';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import type { CartDb } from '../db/carts.ts';

/** What the cart's business rules need from a request: its database, its siblings, and who asks. */
export interface CartEnv extends Pick<RequestContext, 'requestId' | 'principal' | 'deadline'> {
  db: CartDb;
  subgraphs: SubgraphClient;
}
