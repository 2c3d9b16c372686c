import type { SubgraphDeps } from '@ecom/platform/subgraph-app';
import type { RequestContext } from '@ecom/platform/request-context';
import type * as schema from './db/schema.ts';
import { createLoaders, type PricingLoaders } from './loaders.ts';
import type { PricingDb } from './db/prices.ts';

export interface PricingContext extends RequestContext {
  db: PricingDb;
  loaders: PricingLoaders;
}

export function createContext(base: RequestContext, deps: SubgraphDeps<typeof schema>): PricingContext {
  return { ...base, db: deps.db, loaders: createLoaders(deps.db, (field) => deps.deadlineFor(base, field)) };
}
