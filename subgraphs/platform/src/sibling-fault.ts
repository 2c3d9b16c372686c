import { SubgraphCallError } from './subgraph-client.ts';

/**
 * The one translation of a sibling call's failure: a sibling that cannot answer is a fault the
 * client may retry — a typed TIMEOUT / SERVICE_UNAVAILABLE naming the service, never INTERNAL.
 * Anything else passes through untouched. Takes the call itself, or work that makes several.
 */
export async function withSiblingFaults<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
  try {
    return await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (err instanceof SubgraphCallError) throw err.toGraphQLError();
    throw err;
  }
}
