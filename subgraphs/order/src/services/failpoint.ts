import type { OrderSettings, SagaFailpoint } from '../env.ts';

/** A simulated crash between two saga steps (tests only; refused in production by env.ts). */
export function failpoint(settings: OrderSettings, at: SagaFailpoint): void {
  if (settings.sagaFailpoint === at) throw new Error(`simulated crash ${at}`);
}
