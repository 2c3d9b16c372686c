import type { Logger } from '@ecom/platform/logger';
import { every } from '@ecom/platform/periodic';
import { expiredReservationIds } from '../db/reservations.ts';
import type { InventoryDb } from '../db/stock.ts';
import { releaseStock } from './stock-operations.ts';

/**
 * The order subgraph expires unpaid orders and releases their stock itself. This is the backstop
 * for when it cannot (down, crashed mid-saga): a reservation still live this long after its expiry
 * is released here, so stock is never stuck.
 */
export const SWEEP_GRACE_MS = 60_000;
const BATCH = 100;

/** Releases every reservation past expiry + grace; returns how many it released. */
export async function sweepExpiredReservations(db: InventoryDb, now = new Date()): Promise<number> {
  let released = 0;
  for (;;) {
    const ids = await expiredReservationIds(db, new Date(now.getTime() - SWEEP_GRACE_MS), BATCH);
    // Each release is guarded by state, so racing the order saga or another replica is harmless.
    for (const id of ids) if ((await releaseStock(db, id)).state === 'RELEASED') released += 1;
    if (ids.length < BATCH) return released;
  }
}

export function startReservationSweeper(db: InventoryDb, logger: Logger, intervalMs: number): { stop(): Promise<void> } {
  return every(intervalMs, 'reservation sweep', logger, async () => {
    const n = await sweepExpiredReservations(db);
    if (n > 0) logger.warn({ released: n }, 'released reservations the order service left past expiry');
  });
}
