import type { Logger } from '@ecom/platform/logger';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import { abandonedPlans, deletePlan } from '../db/checkout-plans.ts';
import { expiredUnpaidOrders, stalledCancellations, type OrderDb } from '../db/orders.ts';
import type { OrderRow } from '../db/schema.ts';
import { markCancelled, markExpired, settleCommittedPayment } from './order-settlement.ts';
import { backgroundCaller } from './sibling-calls.ts';
import { releaseStock, restockOrder } from './stock-calls.ts';

const BATCH = 100;

export interface SweeperDeps {
  db: OrderDb;
  subgraphs: SubgraphClient;
  logger: Logger;
}

/**
 * What happens to orders with no request: unpaid orders past their reservation expire and give
 * their stock back; and whatever a crashed saga left half done is finished (a sold-but-unmarked
 * payment, a paid order's cancellation, a checkout that reserved but never created its order).
 * Every transition is guarded by status, so racing a live saga or another replica is harmless.
 */
export async function sweepOrders(deps: SweeperDeps, options: { stalledCancellationGraceMs: number }, now = new Date()): Promise<void> {
  const attempt = async (orderId: string, what: string, step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (err) {
      deps.logger.warn({ err, orderId }, `could not ${what}; retrying on the next sweep`);
    }
  };
  for (const order of await expiredUnpaidOrders(deps.db, now, BATCH)) {
    await attempt(order.id, 'expire the order', () => expireOrder(deps, order));
  }
  for (const order of await stalledCancellations(deps.db, new Date(now.getTime() - options.stalledCancellationGraceMs), BATCH)) {
    await attempt(order.id, 'finish the cancellation', async () => {
      await restockOrder(backgroundCaller(deps.subgraphs, 'order-sweeper', order.userId), order.id);
      await markCancelled(deps.db, order, 'PAID', new Date(), order.cancelReason, null);
    });
  }
  for (const plan of await abandonedPlans(deps.db, now, BATCH)) {
    await attempt(plan.orderId, 'release an abandoned checkout', async () => {
      await releaseStock(backgroundCaller(deps.subgraphs, 'order-sweeper', plan.userId), plan.orderId);
      await deletePlan(deps.db, plan.orderId);
    });
  }
}

async function expireOrder(deps: SweeperDeps, order: OrderRow): Promise<void> {
  const state = await releaseStock(backgroundCaller(deps.subgraphs, 'order-sweeper', order.userId), order.id);
  // Sold: a payment committed the stock; it finishes the order itself, or (if it died) we do.
  if (state === 'SOLD') await settleCommittedPayment(deps.db, order.id, new Date());
  else await markExpired(deps.db, order, new Date());
}
