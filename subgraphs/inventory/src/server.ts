import { fileURLToPath } from 'node:url';
import { relayEvents } from '@ecom/platform/events/background';
import { drizzleOutboxStore } from '@ecom/platform/events/outbox-store';
import { exportReservationsHeld } from './services/reservation-metrics.ts';
import { startIdempotencySweeper } from '@ecom/platform/idempotency';
import { bootSubgraph, type SubgraphConfig, type SubgraphDefinition } from '@ecom/platform/subgraph-app';
import { createContext, type InventoryContext } from './context.ts';
import { seedInventory } from './db/seed.ts';
import * as schema from './db/schema.ts';
import { inventorySettings } from './env.ts';
import { Mutation } from './resolvers/Mutation.ts';
import { Product } from './resolvers/Product.ts';
import { Query } from './resolvers/Query.ts';
import { Variant } from './resolvers/Variant.ts';
import { sdl } from './sdl.ts';
import { startReservationSweeper } from './services/reservation-sweeper.ts';

export const inventorySubgraph: SubgraphDefinition<typeof schema, InventoryContext> = {
  name: 'inventory',
  sdl,
  schema,
  migrationsFolder: fileURLToPath(new URL('../drizzle', import.meta.url)),
  seed: seedInventory,
  resolvers: { Query, Mutation, Product, Variant },
  createContext,
  audit: { table: schema.auditLog },
  background: (deps) => {
    const settings = inventorySettings(deps.config.settings);
    return [
      startReservationSweeper(deps.db, deps.logger, settings.reservationSweepIntervalMs),
      exportReservationsHeld(deps.db),
      startIdempotencySweeper(deps.db, schema.idempotencyKeys, deps.logger, settings.idempotencySweepIntervalMs),
      relayEvents(deps, {
        producer: 'inventory',
        store: drizzleOutboxStore(deps.db, schema.outbox),
        intervalMs: settings.outboxRelayIntervalMs,
        batchSize: 100,
      }),
    ];
  },
};

export const createSubgraph = (config: SubgraphConfig) => bootSubgraph(inventorySubgraph, config);
