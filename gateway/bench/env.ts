import { resolve } from 'node:path';
import { booleanFlag, parseEnv } from '@ecom/platform/env';
import { z } from 'zod';

/** Every section `npm run bench` knows, in the order a full run takes them. */
export const SECTIONS = ['side-by-side', 'hand-plan', 'subgraph-cpu', 'place-order', 'goodput', 'stalled', 'trace-cost'] as const;
export type Section = (typeof SECTIONS)[number];

/** Short names for BENCH_SECTIONS: the letters of issue 12's list and issue 10's goodput. */
const ALIASES: Record<string, Section> = { a: 'side-by-side', b: 'hand-plan', c: 'subgraph-cpu', d: 'place-order', e: 'goodput' };

const sectionList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const names = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0) return [...SECTIONS];
    const sections: Section[] = [];
    for (const name of names) {
      const section = ALIASES[name] ?? SECTIONS.find((s) => s === name);
      if (section) sections.push(section);
      else ctx.addIssue({ code: 'custom', message: `unknown section ${name}; one of ${SECTIONS.join(', ')} (or a–e)` });
    }
    return SECTIONS.filter((s) => sections.includes(s));
  });

/** The bench's one reader of the environment. Defaults give a full run in about a quarter of an hour on 2 cores. */
export const benchEnv = parseEnv({
  /** Length of one measured run (one round of one side, one rate, one client count). */
  BENCH_SECONDS: z.coerce.number().positive().default(8),
  /** Interleaved rounds per side where two things are compared (side by side, hand plan, trace cost). */
  BENCH_ROUNDS: z.coerce.number().int().positive().default(3),
  /** Comma list of sections (names or a–e); empty: all of them. */
  BENCH_SECTIONS: sectionList,
  /** The real-Postgres parts (placeOrder): on, off, or unset = when BENCH_DATABASE_URL answers. */
  BENCH_REAL: booleanFlag,
  /** The Postgres server the real parts create a fresh database on (and drop it after). */
  BENCH_DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  /** Redis for the real parts. */
  BENCH_REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Connections of the throughput runs (side by side, stalled subgraph, trace cost). */
  BENCH_CONNECTIONS: z.coerce.number().int().positive().default(16),
  /** Listings measured for subgraph CPU. */
  BENCH_LISTINGS: z.coerce.number().int().positive().default(300),
  /** The subgraph the stalled scenario stalls. */
  BENCH_STALLED: z.string().min(1).default('pricing'),
  /** Side by side over subgraph answers replayed from memory (default), or over the live subgraphs (false). */
  BENCH_REPLAY: booleanFlag,
  /** Pin each gateway to one core and the subgraphs to another in the side-by-side section. */
  BENCH_PIN: booleanFlag,
  /** Where results are appended (`-`: nowhere, for trial runs). */
  BENCH_RESULTS: z.string().default(new URL('./results.md', import.meta.url).pathname),
});

export const resultsFile = benchEnv.BENCH_RESULTS === '-' ? undefined : resolve(benchEnv.BENCH_RESULTS);
