import { startTestSubgraph, type TestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOrder } from '../src/db/orders.ts';
import type * as schema from '../src/db/schema.ts';
import { orderSubgraph } from '../src/server.ts';

let sg: TestSubgraph<typeof schema>;
const T0 = Date.UTC(2026, 2, 1);

/** Orders written through the subgraph's own db layer: reads do not need the saga's siblings. */
async function seedOrders(userId: string, count: number, prefix: string) {
  for (let i = 0; i < count; i++) {
    const id = `${prefix}_${String(i).padStart(3, '0')}`;
    await insertOrder(
      sg.deps.db,
      {
        id,
        userId,
        cartId: `cart_${id}`,
        status: 'PENDING_PAYMENT',
        currency: 'CNY',
        subtotal: 1000 * (i + 1),
        discount: 0,
        shipping: 500,
        total: 1000 * (i + 1) + 500,
        couponCode: null,
        shippingAddress: { name: 'Li Lei', line1: '1 Road', city: 'Shanghai', postalCode: '200000', country: 'CN' },
        reservationExpiresAt: new Date(Date.now() + 3_600_000),
        // Pairs share a timestamp, so the id must break ties for paging to be exact.
        createdAt: new Date(T0 + Math.floor(i / 2) * 1000),
        paidAt: null,
        cancelledAt: null,
        expiredAt: null,
        cancelReason: null,
        cancelRequestedAt: null,
        cancelledBy: null,
      },
      [
        {
          id: `${id}_1`,
          orderId: id,
          position: 1,
          variantId: 'var-001-1',
          sku: 'SKU-001-1',
          title: 'Thing - Standard',
          quantity: i + 1,
          unitPrice: 1000,
          lineTotal: 1000 * (i + 1),
        },
      ],
    );
  }
}

beforeAll(async () => {
  // Every sweeper and relay is held off for the test's life: their statements would land in the counts below.
  sg = await startTestSubgraph(orderSubgraph, {
    settings: { expirySweepIntervalMs: 3_600_000, outboxRelayIntervalMs: 3_600_000, idempotencySweepIntervalMs: 3_600_000 },
  });
  await seedOrders('reader', 25, 'ord_reader');
  await seedOrders('someone-else', 3, 'ord_other');
});
afterAll(() => sg?.dispose());

const MY_ORDERS = /* GraphQL */ `
  query ($first: Int!, $after: String) {
    myOrders(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          status
          createdAt
          lines {
            id
            sku
            quantity
            unitPrice {
              amount
              currency
            }
          }
          cost {
            total {
              amount
              currency
            }
          }
        }
      }
    }
  }
`;
const ORDER = /* GraphQL */ `
  query ($id: ID!) {
    order(id: $id) {
      id
      status
      reservationExpiresAt
      shippingAddress {
        name
        country
        line2
      }
      lines {
        id
        title
        lineTotal {
          amount
        }
      }
    }
  }
`;
type Page = {
  myOrders: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; createdAt: string; lines: { quantity: number }[] } }[];
  };
};

describe('order reads', () => {
  it('pages through my orders newest first, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof sg.call<Page>>> = await sg.call<Page>(MY_ORDERS, { first: 7, after }, { userId: 'reader' });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data!.myOrders.edges.map((e) => e.node.id));
      if (!res.data!.myOrders.pageInfo.hasNextPage) break;
      after = res.data!.myOrders.pageInfo.endCursor;
    }
    const expected = Array.from({ length: 25 }, (_, i) => `ord_reader_${String(24 - i).padStart(3, '0')}`);
    expect(seen).toEqual(expected);
  });

  it('loads the lines of a whole page in one statement', async () => {
    const before = sg.dbHandle.statementCount();
    const res = await sg.call<Page>(MY_ORDERS, { first: 20 }, { userId: 'reader' });
    expect(res.data!.myOrders.edges).toHaveLength(20);
    expect(res.data!.myOrders.edges.every((e) => e.node.lines.length === 1)).toBe(true);
    // the page, then the lines
    expect(sg.dbHandle.statementCount() - before).toBe(2);
  });

  it('shows an order only to its owner', async () => {
    const mine = await sg.call<{ order: { id: string; shippingAddress: { name: string; line2: string | null }; lines: { title: string }[] } }>(
      ORDER,
      { id: 'ord_reader_003' },
      { userId: 'reader' },
    );
    expect(mine.data!.order).toMatchObject({
      id: 'ord_reader_003',
      shippingAddress: { name: 'Li Lei', line2: null },
      lines: [{ title: 'Thing - Standard' }],
    });
    for (const as of [{ userId: 'someone-else' }, {}]) {
      const res = await sg.call<{ order: unknown }>(ORDER, { id: 'ord_reader_003' }, as);
      expect(res.errors).toBeUndefined();
      expect(res.data!.order).toBeNull();
    }
    const unknown = await sg.call<{ order: unknown }>(ORDER, { id: 'ord_nope' }, { userId: 'reader' });
    expect(unknown.data!.order).toBeNull();
  });

  it('never lists another user’s orders', async () => {
    const res = await sg.call<Page>(MY_ORDERS, { first: 100 }, { userId: 'someone-else' });
    expect(res.data!.myOrders.edges.map((e) => e.node.id)).toEqual(['ord_other_002', 'ord_other_001', 'ord_other_000']);
  });

  it('answers anonymous myOrders with a top-level UNAUTHENTICATED', async () => {
    const res = await sg.call(MY_ORDERS, { first: 5 });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it.each([0, 101, -3])('rejects first=%i with INVALID_INPUT', async (first) => {
    const res = await sg.call(MY_ORDERS, { first }, { userId: 'reader' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
  });

  it('rejects a forged cursor with INVALID_INPUT', async () => {
    for (const after of ['garbage', Buffer.from('["not a date","x"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
      const res = await sg.call(MY_ORDERS, { first: 5, after }, { userId: 'reader' });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'after' });
    }
  });

  it('resolves Order entities for their owner only, in one statement', async () => {
    const reps = ['ord_reader_001', 'ord_reader_002', 'ord_other_001'].map((id) => ({ __typename: 'Order', id }));
    const before = sg.dbHandle.statementCount();
    const res = await sg.call<{ _entities: ({ id: string } | null)[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status } } }`,
      { r: reps },
      { userId: 'reader' },
    );
    expect(res.data!._entities.map((e) => e?.id ?? null)).toEqual(['ord_reader_001', 'ord_reader_002', null]);
    expect(sg.dbHandle.statementCount() - before).toBe(1);
  });
});
