import type { GraphQLError } from 'graphql';
import { serviceFault } from './errors.ts';
import { withFieldDelay, type FaultInjection } from './fault-injection.ts';
import { deadlineHits } from './metrics.ts';
import type { SubgraphName } from './subgraph-names.ts';
import { annotateSpan } from './tracing.ts';

/**
 * Per-field time budgets. A batch that misses its budget settles every pending key with a typed
 * TIMEOUT error, so only the fields that batch feeds become null and the rest of the answer stands.
 */
export interface DeadlineOptions {
  /** The field the loader feeds, e.g. `Product.priceRange`: names the budget and the error. */
  field: string;
  service: SubgraphName;
  /** The request's overall deadline (epoch ms), from the gateway's `x-deadline-ms`. */
  deadline: number;
  budgets: FieldBudgets;
  /** The subgraph's injected faults, whose per-field delay this batch waits out first. */
  faults?: FaultInjection;
}

export interface FieldBudgets {
  defaultMs: number;
  perField: Record<string, number>;
  /** Time kept back from the request deadline for serialising and sending the answer. */
  marginMs: number;
}

export const DEFAULT_FIELD_BUDGETS: FieldBudgets = { defaultMs: 250, perField: {}, marginMs: 25 };

/** `Product.priceRange=200,Variant.stock=150` → { 'Product.priceRange': 200, ... } */
export function parseFieldBudgets(spec: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (spec ?? '').split(',')) {
    const [field, ms] = part.split('=').map((s) => s.trim());
    if (field && ms && Number.isFinite(Number(ms)) && Number(ms) > 0) out[field] = Number(ms);
  }
  return out;
}

export function fieldTimeoutError(service: SubgraphName, field: string): GraphQLError {
  return serviceFault('TIMEOUT', { service, field });
}

/** The time this batch may take: its own budget, capped by what is left of the request. */
export function batchBudgetMs(o: DeadlineOptions, now = Date.now()): number {
  const own = o.budgets.perField[o.field] ?? o.budgets.defaultMs;
  return Math.max(0, Math.min(own, o.deadline - now - o.budgets.marginMs));
}

/**
 * Runs one batch under its budget. On expiry the batch is abandoned (its result is dropped; the
 * statement finishes on its own) and every key gets the same timeout error.
 */
export async function withDeadline<T>(o: DeadlineOptions, keyCount: number, run: () => Promise<T[]>): Promise<(T | Error)[]> {
  const budget = batchBudgetMs(o);
  const work = withFieldDelay(o.faults, o.field, run);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((r) => {
    timer = setTimeout(() => r('expired'), budget);
  });
  try {
    const outcome = await Promise.race([work, expired]);
    if (outcome === 'expired') {
      work.catch(() => {}); // abandoned: nobody awaits it any more
      annotateSpan({ 'deadline.hit': true, 'deadline.budget_ms': budget });
      deadlineHits.inc({ where: 'field', field: o.field });
      const error = fieldTimeoutError(o.service, o.field);
      return Array.from({ length: keyCount }, () => error);
    }
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
