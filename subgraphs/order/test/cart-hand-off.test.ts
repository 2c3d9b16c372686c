import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '@ecom/platform/events/outbox-relay';
import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import type { OrderDb } from '../src/db/orders.ts';
import { cartEmptiedBySaga, cartHandOff } from '../src/services/outbox-relay.ts';

/** A cart that records which orders it was asked to check out. */
function recordingCart(): { client: SubgraphClient; asked: string[] } {
  const asked: string[] = [];
  const client = {
    request: (service: string, _doc: unknown, variables: { input: { orderId: string } }) => {
      expect(service).toBe('cart');
      asked.push(variables.input.orderId);
      return Promise.resolve({ completeCheckout: { cartId: 'c', orderId: variables.input.orderId } });
    },
  } as unknown as SubgraphClient;
  return { client, asked };
}

const placed = (orderId: string): OutboxEntry => ({
  id: 1,
  eventId: `evt-${orderId}`,
  aggregateId: orderId,
  type: 'order.placed',
  version: 1,
  payload: { orderId, userId: 'u1', cartId: `cart-${orderId}`, lines: [{ lineId: 'l1', quantity: 1 }], total: 100, currency: 'CNY' },
  headers: {},
  createdAt: new Date(),
  attempts: 0,
});

describe('the relay hand-off of a placed order to the cart', () => {
  it('asks the cart only for orders whose cart the saga did not empty, once per confirmation', async () => {
    const db = {} as OrderDb;
    const cart = recordingCart();
    const handOff = cartHandOff(cart.client, db);
    cartEmptiedBySaga(db, 'ord_a');
    await handOff(placed('ord_a'));
    await handOff(placed('ord_b'));
    // The confirmation is used up: a second publish attempt of the same order asks again.
    await handOff(placed('ord_a'));
    expect(cart.asked).toEqual(['ord_b', 'ord_a']);
  });

  it("keeps confirmations per database, so one subgraph instance never skips another one's call", async () => {
    const cart = recordingCart();
    cartEmptiedBySaga({} as OrderDb, 'ord_c');
    await cartHandOff(cart.client, {} as OrderDb)(placed('ord_c'));
    expect(cart.asked).toEqual(['ord_c']);
  });
});
