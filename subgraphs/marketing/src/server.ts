import { fileURLToPath } from 'node:url';
import { consumeEvents } from '@ecom/platform/events/background';
import { bootSubgraph, type SubgraphConfig, type SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { createContext, type MarketingContext } from './context.ts';
import { seedMarketing } from './db/seed.ts';
import { couponRedemptionsConsumer } from './events/coupon-redemptions-consumer.ts';
import * as schema from './db/schema.ts';
import { Product } from './resolvers/Product.ts';
import { Promotion } from './resolvers/Promotion.ts';
import { Query } from './resolvers/Query.ts';
import { sdl } from './sdl.ts';

export const marketingSubgraph: SubgraphDefinition<typeof schema, MarketingContext> = {
  name: 'marketing',
  sdl,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  seed: seedMarketing,
  resolvers: { Query, Product, Promotion },
  createContext,
  background: (deps) => [consumeEvents(deps, couponRedemptionsConsumer(deps.db))],
};

export const createSubgraph = (config: SubgraphConfig) => bootSubgraph(marketingSubgraph, config);
