import { fileURLToPath } from 'node:url';
import { bootSubgraph, type SubgraphConfig, type SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { createContext, type PricingContext } from './context.ts';
import { seedPricing } from './db/seed.ts';
import * as schema from './db/schema.ts';
import { Product } from './resolvers/Product.ts';
import { Query } from './resolvers/Query.ts';
import { Variant } from './resolvers/Variant.ts';
import { sdl } from './sdl.ts';

export const pricingSubgraph: SubgraphDefinition<typeof schema, PricingContext> = {
  name: 'pricing',
  sdl,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  seed: seedPricing,
  resolvers: { Query, Product, Variant },
  createContext,
};

export const createSubgraph = (config: SubgraphConfig) => bootSubgraph(pricingSubgraph, config);
