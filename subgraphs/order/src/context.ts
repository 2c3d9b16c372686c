import type { FaultInjection } from '@ecom/platform/fault-injection';
import type { SubgraphDeps } from '@ecom/platform/subgraph-app';
import type { VerifiedRequestContext } from '@ecom/platform/request-context';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import type * as schema from './db/schema.ts';
import type { OrderDb } from './db/orders.ts';
import { orderSettings, type OrderSettings } from './env.ts';
import { createLoaders, type OrderLoaders } from './loaders.ts';

export interface OrderContext extends VerifiedRequestContext {
  db: OrderDb;
  loaders: OrderLoaders;
  subgraphs: SubgraphClient;
  settings: OrderSettings;
  /** Where the sagas' failpoints are armed (tests only). */
  faults: FaultInjection;
}

export function createContext(base: VerifiedRequestContext, deps: SubgraphDeps<typeof schema>): OrderContext {
  return {
    ...base,
    db: deps.db,
    loaders: createLoaders(deps.db),
    subgraphs: deps.subgraphs,
    settings: orderSettings(deps.config.settings),
    faults: deps.faults,
  };
}
