import type { SubgraphDeps } from '@ecom/platform/subgraph-app';
import type { RequestContext } from '@ecom/platform/request-context';
import type * as schema from './db/schema.ts';
import { createLoaders, type MarketingLoaders } from './loaders.ts';
import type { MarketingDb } from './db/promotions.ts';

export interface MarketingContext extends RequestContext {
  db: MarketingDb;
  loaders: MarketingLoaders;
}

export function createContext(base: RequestContext, deps: SubgraphDeps<typeof schema>): MarketingContext {
  return { ...base, db: deps.db, loaders: createLoaders(deps.db, (field) => deps.deadlineFor(base, field)) };
}
