import { fileURLToPath } from 'node:url';
import { startIdempotencySweeper } from '@ecom/platform/idempotency';
import { bootSubgraph, type SubgraphConfig, type SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { createContext, type OrderContext } from './context.ts';
import * as schema from './db/schema.ts';
import { seedOrder } from './db/seed.ts';
import { orderSettings } from './env.ts';
import { Mutation } from './resolvers/Mutation.ts';
import { Order } from './resolvers/Order.ts';
import { Query } from './resolvers/Query.ts';
import { sweepOrders } from './services/expiry-sweeper.ts';
import { relayEvents } from '@ecom/platform/events/background';
import { cartHandOff, orderOutboxStore } from './services/outbox-relay.ts';
import { every } from '@ecom/platform/periodic';
import { sdl } from './sdl.ts';

export const orderSubgraph: SubgraphDefinition<typeof schema, OrderContext> = {
  name: 'order',
  sdl,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  seed: seedOrder,
  resolvers: { Query, Mutation, Order },
  createContext,
  audit: { table: schema.auditLog },
  background: (deps) => {
    const settings = orderSettings(deps.config.settings);
    return [
      every(settings.expirySweepIntervalMs, 'order expiry sweep', deps.logger, async () => {
        await sweepOrders(deps, settings);
      }),
      relayEvents(deps, {
        producer: 'order',
        store: orderOutboxStore(deps.db),
        intervalMs: settings.outboxRelayIntervalMs,
        batchSize: settings.outboxBatchSize,
        beforePublish: cartHandOff(deps.subgraphs, deps.db),
      }),
      startIdempotencySweeper(deps.db, schema.idempotencyKeys, deps.logger, settings.idempotencySweepIntervalMs),
    ];
  },
};

export const createSubgraph = (config: SubgraphConfig) => bootSubgraph(orderSubgraph, config);
