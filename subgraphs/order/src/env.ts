import { z } from 'zod';
import { parseEnv } from '@ecom/platform/env';

const settingsSchema = z.object({
  reservationTtlSeconds: z.number().int().min(1).max(86_400).default(900),
  expirySweepIntervalMs: z.number().int().min(50).default(1_000),
  outboxRelayIntervalMs: z.number().int().min(50).default(1_000),
  outboxBatchSize: z.number().int().min(1).max(1_000).default(100),
  idempotencySweepIntervalMs: z
    .number()
    .int()
    .min(50)
    .default(10 * 60_000),
  /** A paid order's cancellation left unfinished this long is finished by the sweeper (longer than a saga's lease). */
  stalledCancellationGraceMs: z.number().int().min(0).default(60_000),
  /** Orders in PENDING_PAYMENT one user may hold (checkouts in flight count): one account cannot hold all the stock. */
  maxPendingOrders: z.number().int().min(1).max(1_000).default(5),
});

export type OrderSettings = z.infer<typeof settingsSchema>;

const envShape = {
  RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  ORDER_EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  ORDER_OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  MAX_PENDING_ORDERS: z.coerce.number().int().min(1).max(1_000).default(5),
};

/** What src/index.ts passes to runSubgraph. */
export function orderSettingsFromEnv(source: NodeJS.ProcessEnv = process.env): OrderSettings {
  const env = parseEnv(envShape, source);
  return settingsSchema.parse({
    reservationTtlSeconds: env.RESERVATION_TTL_SECONDS,
    expirySweepIntervalMs: env.ORDER_EXPIRY_SWEEP_INTERVAL_MS,
    outboxRelayIntervalMs: env.ORDER_OUTBOX_RELAY_INTERVAL_MS,
    maxPendingOrders: env.MAX_PENDING_ORDERS,
  });
}

/**
 * The subgraph's settings from `config.settings` (defaults filled in), read per request so a test
 * can change one on a running subgraph. A saga's failpoints are not settings: they are armed on the
 * platform's fault injection (`deps.faults.failpoint`), which production refuses.
 */
export function orderSettings(raw: Record<string, unknown> | undefined): OrderSettings {
  const result = settingsSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid order settings:\n${problems.join('\n')}`);
  }
  return result.data;
}
