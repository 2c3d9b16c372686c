import { fileURLToPath } from 'node:url';
import { consumeEvents } from '@ecom/platform/events/background';
import { bootSubgraph, type SubgraphConfig, type SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { createContext, type ProductContext } from './context.ts';
import { seedProduct } from './db/seed.ts';
import * as schema from './db/schema.ts';
import { unitsSoldConsumer } from './events/units-sold-consumer.ts';
import { Category } from './resolvers/Category.ts';
import { Product } from './resolvers/Product.ts';
import { ProductConnection } from './resolvers/ProductConnection.ts';
import { Query } from './resolvers/Query.ts';
import { Shop } from './resolvers/Shop.ts';
import { Variant } from './resolvers/Variant.ts';
import { sdl } from './sdl.ts';

export const productSubgraph: SubgraphDefinition<typeof schema, ProductContext> = {
  name: 'product',
  sdl,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  seed: seedProduct,
  resolvers: { Query, ProductConnection, Product, Variant, Category, Shop },
  createContext,
  background: (deps) => [consumeEvents(deps, unitsSoldConsumer(deps.db))],
};

export const createSubgraph = (config: SubgraphConfig) => bootSubgraph(productSubgraph, config);
