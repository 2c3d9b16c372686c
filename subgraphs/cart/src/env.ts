import { z } from 'zod';
import { parseEnv } from '@ecom/platform/env';

const settingsSchema = z.object({
  /** An anonymous cart untouched this long is deleted with its lines: its id was its only way back. */
  anonymousCartIdleDays: z.number().int().min(1).max(3_650).default(30),
  anonymousCartSweepIntervalMs: z
    .number()
    .int()
    .min(50)
    .default(60 * 60_000),
  /** Carts one sweep statement deletes at most, so a backlog never becomes one long lock-holding statement. */
  anonymousCartSweepBatch: z.number().int().min(1).max(10_000).default(500),
});

export type CartSettings = z.infer<typeof settingsSchema>;

const envShape = {
  ANONYMOUS_CART_IDLE_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  ANONYMOUS_CART_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(60 * 60_000),
};

/** What src/index.ts passes to runSubgraph. */
export function cartSettingsFromEnv(source: NodeJS.ProcessEnv = process.env): CartSettings {
  const env = parseEnv(envShape, source);
  return settingsSchema.parse({
    anonymousCartIdleDays: env.ANONYMOUS_CART_IDLE_DAYS,
    anonymousCartSweepIntervalMs: env.ANONYMOUS_CART_SWEEP_INTERVAL_MS,
  });
}

/** The subgraph's settings from `config.settings`, defaults filled in. */
export const cartSettings = (raw: Record<string, unknown> | undefined): CartSettings => settingsSchema.parse(raw ?? {});
