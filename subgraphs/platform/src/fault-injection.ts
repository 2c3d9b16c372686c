import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLError } from 'graphql';
import { fault } from './errors.ts';

/**
 * Makes a subgraph slow, failing, partly slow or crash between two steps without editing code, for
 * tests and demos. Everything that injects a fault reads it from here: the request hook the subgraph
 * server calls, the field delay the deadline-aware loaders apply, and the named failpoints a service
 * passes. Set from the environment at start by `faultsFrom` (env.ts: `FAULT_MODE`, `FAULT_DELAY_MS`,
 * `FAULT_FIELD_DELAYS`; refused in production, where the object is frozen at no faults) or changed at
 * run time by tests through the mutable object a booted subgraph holds (`deps.faults`).
 */
export interface FaultInjection {
  /** delay: every /graphql request waits `delayMs` first; error: every one answers HTTP 503. */
  mode: 'none' | 'delay' | 'error';
  delayMs: number;
  /** Extra delay inside one field's batch, e.g. { 'Variant.compareAtPrice': 2000 }. */
  fieldDelaysMs: Record<string, number>;
  /**
   * The armed failpoint, e.g. order's `after-reserve`: passing it throws, a simulated crash between
   * two steps. Never read from the environment; only a test arms one, on a running subgraph.
   */
  failpoint?: string;
}

export const noFaults = (): FaultInjection => ({ mode: 'none', delayMs: 0, fieldDelaysMs: {}, failpoint: undefined });

/** What a subgraph answers instead of running the request. */
export interface InjectedFault {
  status: number;
  errors: GraphQLError[];
}

/**
 * The request-level hook the subgraph server calls once per /graphql request: the injected outage
 * to answer with, or nothing once any injected delay has passed.
 */
export async function beforeRequest(faults: FaultInjection, service: string): Promise<InjectedFault | undefined> {
  if (faults.mode === 'error') return { status: 503, errors: [fault('SERVICE_UNAVAILABLE', 'Injected fault: unavailable', { service })] };
  if (faults.mode === 'delay') await sleep(faults.delayMs);
  return undefined;
}

/** Runs one field's batch, after the delay injected for that field if there is one. */
export function withFieldDelay<T>(faults: FaultInjection | undefined, field: string, run: () => Promise<T>): Promise<T> {
  const delayMs = faults?.fieldDelaysMs[field] ?? 0;
  return delayMs > 0 ? sleep(delayMs).then(run) : run();
}

/** A named point between two steps of a service: throws there when a test has armed it. */
export function failpoint(faults: FaultInjection, at: string): void {
  if (faults.failpoint === at) throw new Error(`simulated crash ${at}`);
}
