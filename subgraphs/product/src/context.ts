import type { SubgraphDeps } from '@ecom/platform/subgraph-app';
import type { RequestContext } from '@ecom/platform/request-context';
import type * as schema from './db/schema.ts';
import { createLoaders, type ProductLoaders } from './loaders.ts';
import type { ProductDb } from './db/catalog.ts';

export interface ProductContext extends RequestContext {
  db: ProductDb;
  loaders: ProductLoaders;
}

export function createContext(base: RequestContext, deps: SubgraphDeps<typeof schema>): ProductContext {
  return { ...base, db: deps.db, loaders: createLoaders(deps.db) };
}
