import type { Logger } from '@ecom/platform/logger';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import { abandonedPlans, deletePlan } from '../db/checkout-plans.ts';
import { appendEvent } from '../db/outbox.ts';
import { expiredUnpaidOrders, transitionOrder, type OrderDb } from '../db/orders.ts';
import type { OrderRow } from '../db/schema.ts';
import { settleCommittedPayment } from './order-settlement.ts';
import { backgroundCaller } from './sibling-calls.ts';
import { releaseStock } from './stock-calls.ts';

const BATCH = 100;

export interface SweeperDeps {
  db: OrderDb;
  subgraphs: SubgraphClient;
  logger: Logger;
}

/**
 * Unpaid orders past their reservation expire and give their stock back, with no request needed.
 * Every transition is guarded, so a pay or cancel racing the sweeper cannot both apply.
 */
export async function sweepExpiredOrders(deps: SweeperDeps, now = new Date()): Promise<number> {
  let expired = 0;
  for (const order of await expiredUnpaidOrders(deps.db, now, BATCH)) {
    try {
      if (await expireOrder(deps, order)) expired += 1;
    } catch (err) {
      deps.logger.warn({ err, orderId: order.id }, 'could not expire order; retrying on the next sweep');
    }
  }
  for (const plan of await abandonedPlans(deps.db, now, BATCH)) {
    // A placeOrder attempt reserved and then died, and its key was never retried.
    try {
      await releaseStock(backgroundCaller(deps.subgraphs, 'order-sweeper', plan.userId), plan.orderId);
      await deletePlan(deps.db, plan.orderId);
    } catch (err) {
      deps.logger.warn({ err, orderId: plan.orderId }, 'could not release an abandoned checkout; retrying on the next sweep');
    }
  }
  return expired;
}

async function expireOrder(deps: SweeperDeps, order: OrderRow): Promise<boolean> {
  const state = await releaseStock(backgroundCaller(deps.subgraphs, 'order-sweeper', order.userId), order.id);
  const now = new Date();
  if (state === 'SOLD') {
    // A payment committed the stock: it finishes the order itself, or (if it died) we do it for it.
    await settleCommittedPayment(deps.db, order.id, now);
    return false;
  }
  return deps.db.transaction(async (tx) => {
    const row = await transitionOrder(tx, order.id, 'PENDING_PAYMENT', { status: 'EXPIRED', expiredAt: now, reservationExpiresAt: null });
    if (!row) return false;
    await appendEvent(tx, order.id, 'order.expired', { orderId: order.id, userId: order.userId }, now);
    return true;
  });
}
