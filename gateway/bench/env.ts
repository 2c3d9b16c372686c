import { parseEnv } from '@ecom/platform/env';
import { z } from 'zod';

/** The bench's one reader of the environment: how long and how hard to load, and which subgraph to stall. */
export const benchEnv = parseEnv({
  BENCH_SECONDS: z.coerce.number().positive().default(15),
  BENCH_CONNECTIONS: z.coerce.number().int().positive().default(16),
  BENCH_STALLED: z.string().min(1).default('pricing'),
});

/** The graph process inherits this process's environment, on the embedded default (no Postgres, no Redis). */
export function graphProcessEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: '', REDIS_URL: '' };
}
