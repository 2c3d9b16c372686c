/**
 * Makes a subgraph slow, failing or partly slow without editing code, for tests and demos. Set from
 * the environment at start (`FAULT_MODE`, `FAULT_DELAY_MS`, `FAULT_FIELD_DELAYS`) or changed at
 * run time by tests through the mutable object. Refused in production (see env.ts).
 */
export interface FaultInjection {
  /** delay: every /graphql request waits `delayMs` first; error: every one answers HTTP 503. */
  mode: 'none' | 'delay' | 'error';
  delayMs: number;
  /** Extra delay inside one field's batch, e.g. { 'Variant.compareAtPrice': 2000 }. */
  fieldDelaysMs: Record<string, number>;
}

export const noFaults = (): FaultInjection => ({ mode: 'none', delayMs: 0, fieldDelaysMs: {} });
