import { groupLoader, rowLoader } from '@ecom/platform/loaders';
import { linesByOrderIds, ordersByIds, type OrderDb } from './db/orders.ts';

/** Per request: order fetches and their lines are one statement per batch. */
export function createLoaders(db: OrderDb) {
  return {
    order: rowLoader(
      (ids) => ordersByIds(db, ids),
      (r) => r.id,
    ),
    linesOfOrder: groupLoader(
      (ids) => linesByOrderIds(db, ids),
      (r) => r.orderId,
    ),
  };
}

export type OrderLoaders = ReturnType<typeof createLoaders>;
