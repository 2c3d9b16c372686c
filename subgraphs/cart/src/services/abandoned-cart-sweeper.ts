import type { Logger } from '@ecom/platform/logger';
import { every } from '@ecom/platform/periodic';
import { deleteIdleAnonymousCarts, type CartDb } from '../db/carts.ts';
import type { CartSettings } from '../env.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes anonymous carts idle past the setting, a bounded batch per transaction, until none is left; answers how many went. */
export async function sweepAbandonedCarts(db: CartDb, settings: CartSettings, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - settings.anonymousCartIdleDays * DAY_MS);
  let total = 0;
  for (;;) {
    const deleted = await deleteIdleAnonymousCarts(db, before, settings.anonymousCartSweepBatch);
    total += deleted;
    if (deleted < settings.anonymousCartSweepBatch) return total;
  }
}

/** The sweep on the platform's periodic runner (one run at a time; a failed run is logged and counted). */
export function startAbandonedCartSweeper(db: CartDb, settings: CartSettings, logger: Logger): { stop(): Promise<void> } {
  return every(settings.anonymousCartSweepIntervalMs, 'abandoned cart sweep', logger, async () => {
    const swept = await sweepAbandonedCarts(db, settings);
    if (swept > 0) logger.info({ swept }, 'abandoned anonymous carts deleted');
  });
}
