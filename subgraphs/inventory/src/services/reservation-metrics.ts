import { gaugeFromReader, reservationsHeld } from '@ecom/platform/metrics';
import { heldReservationCount } from '../db/reservations.ts';
import type { Executor } from '../db/stock.ts';

/** `graph_reservations_held`, counted at scrape time (one indexed count), not kept in step with every saga step. */
export function exportReservationsHeld(db: Executor): { stop(): void } {
  return { stop: gaugeFromReader(reservationsHeld, () => heldReservationCount(db)) };
}
