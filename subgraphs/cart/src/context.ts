import type { SubgraphDeps } from '@ecom/platform/subgraph-app';
import type { VerifiedRequestContext } from '@ecom/platform/request-context';
import type * as schema from './db/schema.ts';
import { createLoaders, type CartLoaders } from './loaders.ts';
import type { CartEnv } from './services/cart-env.ts';
import { quoteCart } from './services/cart-quote.ts';

export interface CartContext extends VerifiedRequestContext, CartEnv {
  loaders: CartLoaders;
}

export function createContext(base: VerifiedRequestContext, deps: SubgraphDeps<typeof schema>): CartContext {
  return {
    ...base,
    db: deps.db,
    subgraphs: deps.subgraphs,
    loaders: createLoaders(deps.db, (key) => quoteCart(deps.subgraphs, base, key)),
  };
}
