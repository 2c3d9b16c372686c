import { z } from 'zod';
import { parseEnv } from '../src/env.ts';

/** entities-cpu.ts's one reader of the environment. */
export const benchEnv = parseEnv({
  /** Measured rounds; every subgraph (of every checkout) is measured once per round, interleaved. */
  BENCH_ROUNDS: z.coerce.number().int().positive().default(5),
  /** Requests per subgraph per round. */
  BENCH_REQUESTS: z.coerce.number().int().positive().default(100),
  /** Unmeasured requests per subgraph before the first round (JIT, caches, pools). */
  BENCH_WARMUP: z.coerce.number().int().nonnegative().default(300),
  /** Requests in flight at once to one subgraph (the gateway's connections to it under load). */
  BENCH_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /** Another checkout (with its node_modules) measured in the same run: the A of an A/B. */
  BENCH_BASELINE: z.string().min(1).optional(),
  /** A directory: each subgraph process writes a V8 CPU profile there (`node --cpu-prof`). */
  BENCH_CPU_PROF: z.string().min(1).optional(),
  /** Measure only these (comma-separated); all four of the listing by default. */
  BENCH_SUBGRAPHS: z.string().min(1).optional(),
});
