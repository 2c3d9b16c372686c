import type { OutboxEntry, OutboxStore } from '@ecom/platform/events/outbox-relay';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import { markPublished, recordFailure, unpublishedEvents } from '../db/outbox.ts';
import type { OrderEventPayloads } from '../db/json-columns.ts';
import type { OrderDb } from '../db/orders.ts';
import { countOrderEvent } from './outbox-metrics.ts';
import { completeCheckout } from './cart-calls.ts';
import { backgroundCaller } from './sibling-calls.ts';

/** The order's outbox as the platform relay reads it (publishes oldest first, per order in order). */
export function orderOutboxStore(db: OrderDb): OutboxStore {
  // The type of each event handed out, so a publish can be counted by type once it is marked.
  const typeOf = new Map<number, string>();
  return {
    unpublished: async (limit) => {
      const rows = await unpublishedEvents(db, limit);
      typeOf.clear();
      for (const row of rows) typeOf.set(row.id, row.type);
      return rows;
    },
    markPublished: async (id, now) => {
      const marked = await markPublished(db, id, now);
      const type = typeOf.get(id);
      // Only the relay whose mark won counts it: each order event once, after its commit.
      if (marked && type) countOrderEvent(type);
      return marked;
    },
    recordFailure: (id, error) => recordFailure(db, id, error),
  };
}

/** Orders whose cart the saga's own call emptied, per database; bounded, oldest forgotten first. */
const emptiedBySaga = new WeakMap<OrderDb, Set<string>>();
const EMPTIED_KEPT = 10_000;

/**
 * The saga's own completeCheckout was answered: the cart recorded this order's checkout, so the
 * relay need not ask again. Kept in process only: after a restart, or on another replica, the relay
 * repeats the call, which the cart answers as a no-op.
 */
export function cartEmptiedBySaga(db: OrderDb, orderId: string): void {
  let emptied = emptiedBySaga.get(db);
  if (!emptied) emptiedBySaga.set(db, (emptied = new Set<string>()));
  emptied.add(orderId);
  if (emptied.size > EMPTIED_KEPT) emptied.delete(emptied.values().next().value!);
}

/**
 * Before `order.placed` counts as sent the cart is emptied: the relay is what guarantees that no
 * order is left with a full cart, unless the saga's own call already did it. The cart's own consumer
 * of `order.placed` does the same from the event (whichever comes first wins; completing a checkout
 * twice is a no-op).
 */
export function cartHandOff(subgraphs: SubgraphClient, db: OrderDb): (entry: OutboxEntry) => Promise<void> {
  return async (entry) => {
    if (entry.type !== 'order.placed') return;
    const p = entry.payload as OrderEventPayloads['order.placed'];
    if (emptiedBySaga.get(db)?.delete(p.orderId)) return;
    await completeCheckout(backgroundCaller(subgraphs, 'order-relay', p.userId), { cartId: p.cartId, orderId: p.orderId, lines: p.lines });
  };
}
