import type { PersistedQueryOptions } from '@apollo/server';
import type { Cache } from '@ecom/platform/cache';

type QueryCache = NonNullable<PersistedQueryOptions['cache']>;

/** How long an automatically persisted query stays registered after its last registration. */
export const APQ_TTL_SECONDS = 24 * 60 * 60;

/**
 * Where automatic persisted queries live. In Redis (the gateway's cache), every gateway instance
 * shares them, so a client registers a query once, not once per instance; Redis down is a miss
 * and the client resends the text, the APQ protocol's own recovery. Without Redis: Apollo's own
 * bounded in-process LRU (undefined here), never the unbounded in-process Cache stand-in.
 */
export function persistedQueryCache(cache: Cache): QueryCache | undefined {
  if (cache.kind !== 'redis') return undefined;
  return {
    get: (key) => cache.get(key),
    set: (key, value, options) => cache.set(key, value, (options?.ttl ?? APQ_TTL_SECONDS) * 1000),
    delete: (key) => cache.del(key),
  };
}
