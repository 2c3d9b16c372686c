import { SubgraphCallError } from '@ecom/platform/subgraph-client';

/** A sibling that cannot answer is a fault: typed TIMEOUT / SERVICE_UNAVAILABLE naming the service. */
export async function orFault<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof SubgraphCallError) throw err.toGraphQLError();
    throw err;
  }
}
