import { parseEnv } from '@ecom/platform/env';
import { z } from 'zod';

/** What this subgraph reads from `config.settings`; tests pass their own, index.ts the environment's. */
export const inventorySettingsSchema = z.object({
  /** How often the backstop sweeper looks for reservations the order service left past expiry. */
  reservationSweepIntervalMs: z.number().int().positive().default(5_000),
  /** How often idempotency records past retention are deleted. */
  idempotencySweepIntervalMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** How often the outbox relay publishes stock.low / stock.depleted. */
  outboxRelayIntervalMs: z.number().int().min(50).default(1_000),
});

export type InventorySettings = z.infer<typeof inventorySettingsSchema>;

export const inventorySettings = (settings: Record<string, unknown> = {}): InventorySettings => inventorySettingsSchema.parse(settings);

/** The one place this package reads the environment. */
export function inventorySettingsFromEnv(source: NodeJS.ProcessEnv = process.env): InventorySettings {
  const env = parseEnv(
    {
      INVENTORY_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
      IDEMPOTENCY_SWEEP_INTERVAL_MS: z.coerce
        .number()
        .int()
        .positive()
        .default(10 * 60_000),
      INVENTORY_OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
    },
    source,
  );
  return {
    reservationSweepIntervalMs: env.INVENTORY_SWEEP_INTERVAL_MS,
    idempotencySweepIntervalMs: env.IDEMPOTENCY_SWEEP_INTERVAL_MS,
    outboxRelayIntervalMs: env.INVENTORY_OUTBOX_RELAY_INTERVAL_MS,
  };
}
