import type { Logger } from '@ecom/platform/logger';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import { markPublished, recordFailure, unpublishedEvents } from '../db/outbox.ts';
import type { OrderDb } from '../db/orders.ts';
import type { OutboxRow } from '../db/schema.ts';
import { completeCheckout } from './cart-calls.ts';
import { countOrderEvent } from './outbox-metrics.ts';
import { backgroundCaller } from './sibling-calls.ts';

export interface RelayDeps {
  db: OrderDb;
  subgraphs: SubgraphClient;
  logger: Logger;
}

/** After a failure an event waits 2^attempts seconds (at most a minute) before the next try. */
const backoffMs = (attempts: number) => Math.min(60_000, 1_000 * 2 ** Math.max(0, attempts - 1));

/**
 * Publishes the outbox oldest first. An event that fails holds back the later events of the same
 * order, so each order's events go out in the order they happened. For `order.placed` the cart is
 * emptied first: the relay is what guarantees that no order is left with a full cart.
 */
export async function relayOutbox(deps: RelayDeps, options: { batchSize: number; lastTried: Map<number, number> }, now = new Date()): Promise<number> {
  const held = new Set<string>();
  let published = 0;
  for (const event of await unpublishedEvents(deps.db, options.batchSize)) {
    if (held.has(event.aggregateId)) continue;
    const tried = options.lastTried.get(event.id);
    if (event.attempts > 0 && tried !== undefined && now.getTime() - tried < backoffMs(event.attempts)) {
      held.add(event.aggregateId);
      continue;
    }
    try {
      await deliver(deps, event);
      if (await markPublished(deps.db, event.id, new Date())) {
        published += 1;
        countOrderEvent(event.type);
        options.lastTried.delete(event.id);
        deps.logger.info({ event: { id: event.id, type: event.type, aggregateId: event.aggregateId, payload: event.payload } }, `published ${event.type}`);
      }
    } catch (err) {
      held.add(event.aggregateId);
      options.lastTried.set(event.id, now.getTime());
      const message = err instanceof Error ? err.message : String(err);
      await recordFailure(deps.db, event.id, message);
      deps.logger.warn({ err: message, eventId: event.id, type: event.type, attempts: event.attempts + 1 }, 'outbox event not delivered; will retry');
    }
  }
  return published;
}

async function deliver(deps: RelayDeps, event: OutboxRow): Promise<void> {
  const p = event.payload;
  // Only a placed order has a cart to finish.
  if (event.type !== 'order.placed' || !('cartId' in p)) return;
  await completeCheckout(backgroundCaller(deps.subgraphs, 'order-relay', p.userId), { cartId: p.cartId, orderId: p.orderId, lines: p.lines });
}
