import type { SubgraphDeps } from '@ecom/platform/subgraph-app';
import type { VerifiedRequestContext } from '@ecom/platform/request-context';
import type * as schema from './db/schema.ts';
import type { InventoryDb } from './db/stock.ts';
import { createLoaders, type InventoryLoaders } from './loaders.ts';

export interface InventoryContext extends VerifiedRequestContext {
  db: InventoryDb;
  loaders: InventoryLoaders;
}

export function createContext(base: VerifiedRequestContext, deps: SubgraphDeps<typeof schema>): InventoryContext {
  return { ...base, db: deps.db, loaders: createLoaders(deps.db, (field) => deps.deadlineFor(base, field)) };
}
