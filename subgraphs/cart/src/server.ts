import { fileURLToPath } from 'node:url';
import { consumeEvents } from '@ecom/platform/events/background';
import { startIdempotencySweeper } from '@ecom/platform/idempotency';
import { bootSubgraph, type SubgraphConfig, type SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { createContext, type CartContext } from './context.ts';
import { cartSettings } from './env.ts';
import { startAbandonedCartSweeper } from './services/abandoned-cart-sweeper.ts';
import { seedCart } from './db/seed.ts';
import { checkoutConsumer } from './events/checkout-consumer.ts';
import * as schema from './db/schema.ts';
import { Cart } from './resolvers/Cart.ts';
import { CartLine } from './resolvers/CartLine.ts';
import { Mutation } from './resolvers/Mutation.ts';
import { Query } from './resolvers/Query.ts';
import { ShopGroup } from './resolvers/ShopGroup.ts';
import { sdl } from './sdl.ts';

export const cartSubgraph: SubgraphDefinition<typeof schema, CartContext> = {
  name: 'cart',
  sdl,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  seed: seedCart,
  resolvers: { Query, Mutation, Cart, CartLine, ShopGroup },
  createContext,
  audit: { table: schema.auditLog },
  background: (deps) => [
    startIdempotencySweeper(deps.db, schema.idempotencyKeys, deps.logger),
    startAbandonedCartSweeper(deps.db, cartSettings(deps.config.settings), deps.logger),
    consumeEvents(deps, checkoutConsumer(deps.db)),
  ],
};

export const createSubgraph = (config: SubgraphConfig) => bootSubgraph(cartSubgraph, config);
