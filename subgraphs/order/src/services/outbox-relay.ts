import type { OutboxEntry, OutboxStore } from '@ecom/platform/events/outbox-relay';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import { markPublished, recordFailure, unpublishedEvents } from '../db/outbox.ts';
import type { OrderEventPayloads } from '../db/json-columns.ts';
import type { OrderDb } from '../db/orders.ts';
import { completeCheckout } from './cart-calls.ts';
import { backgroundCaller } from './sibling-calls.ts';

/** The order's outbox as the platform relay reads it (publishes oldest first, per order in order). */
export function orderOutboxStore(db: OrderDb): OutboxStore {
  return {
    unpublished: (limit) => unpublishedEvents(db, limit),
    markPublished: (id, now) => markPublished(db, id, now),
    recordFailure: (id, error) => recordFailure(db, id, error),
  };
}

/**
 * Before `order.placed` counts as sent the cart is emptied: the relay is what guarantees that no
 * order is left with a full cart. The cart's own consumer of `order.placed` does the same from the
 * event (whichever comes first wins; completing a checkout twice is a no-op).
 */
export function cartHandOff(subgraphs: SubgraphClient): (entry: OutboxEntry) => Promise<void> {
  return async (entry) => {
    if (entry.type !== 'order.placed') return;
    const p = entry.payload as OrderEventPayloads['order.placed'];
    await completeCheckout(backgroundCaller(subgraphs, 'order-relay', p.userId), { cartId: p.cartId, orderId: p.orderId, lines: p.lines });
  };
}
