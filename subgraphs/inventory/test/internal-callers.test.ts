import { devKeyRing } from '@ecom/platform/env';
import { signHeaders } from '@ecom/platform/gateway-credential';
import { startTestSubgraph, type CallAs } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySubgraph } from '../src/server.ts';
import { ADJUST_STOCK, ORDER_SAGA, RESERVE, stockOf, type AdjustResult, type Inventory } from './inventory-client.ts';

let sg: Inventory;
beforeAll(async () => {
  sg = await startTestSubgraph(inventorySubgraph);
});
afterAll(() => sg?.dispose());

const VARIANT = 'var-021-1';
const reserveAs = (as: CallAs, orderId: string) =>
  sg.call<{ reserveStock: { __typename: string; state?: string } }>(
    RESERVE,
    { input: { orderId, lines: [{ variantId: VARIANT, quantity: 1 }], expiresAt: new Date(Date.now() + 600_000).toISOString() } },
    as,
  );
const releaseAs = (as: CallAs, orderId: string) =>
  sg.call<{ releaseStock: { state: string } }>(
    `mutation ($input: OrderStockInput!) { releaseStock(input: $input) { state } }`,
    { input: { orderId } },
    as,
  );

describe('who may call inventory', () => {
  it("answers the stock steps for order's key only: cart's or the gateway's is refused, reserving nothing", async () => {
    const before = await stockOf(sg, VARIANT);
    for (const caller of ['cart', 'gateway'] as const) {
      const refused = await reserveAs({ caller, userId: 'user-1' }, `order-by-${caller}`);
      expect(refused.status, caller).toBe(200);
      expect(refused.data?.reserveStock ?? null, caller).toBeNull();
      expect(refused.errors?.[0]?.extensions, caller).toMatchObject({ code: 'PERMISSION_DENIED', caller });
      const release = await releaseAs({ caller }, `order-by-${caller}`);
      expect(release.errors?.[0]?.extensions, caller).toMatchObject({ code: 'PERMISSION_DENIED', caller });
    }
    expect(await stockOf(sg, VARIANT)).toEqual(before);

    const reserved = await reserveAs(ORDER_SAGA, 'order-by-order');
    expect(reserved.errors).toBeUndefined();
    expect(reserved.data!.reserveStock).toMatchObject({ __typename: 'StockOperation', state: 'RESERVED' });
    expect((await stockOf(sg, VARIANT)).reserved).toBe(before.reserved + 1);
    expect((await releaseAs(ORDER_SAGA, 'order-by-order')).data!.releaseStock.state).toBe('RELEASED');
  });

  it('refuses a request signed for pricing when it is replayed to inventory', async () => {
    const replayed = await reserveAs({ ...ORDER_SAGA, signedFor: 'pricing' }, 'order-replayed');
    expect(replayed.status).toBe(401);
    expect(replayed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const read = await sg.call(`{ stockLevel(variantId: "${VARIANT}") { available } }`, {}, { signedFor: 'pricing' });
    expect(read.status).toBe(401);
  });

  it('serves a signed request once: the same request sent again is refused', async () => {
    const body = JSON.stringify({ query: `{ stockLevel(variantId: "${VARIANT}") { available } }` });
    const headers = {
      'content-type': 'application/json',
      ...signHeaders(
        { caller: 'gateway', key: devKeyRing('gateway')[0]! },
        { method: 'POST', path: '/graphql', target: 'inventory' },
        { requestId: 'req-replay', userId: null, roles: [], deadlineMs: '5000', body },
      ),
    };
    const first = await fetch(sg.url, { method: 'POST', headers, body });
    expect(first.status).toBe(200);
    const again = await fetch(sg.url, { method: 'POST', headers, body });
    expect(again.status).toBe(401);
  });

  it('honours an admin role forwarded by the gateway, never one a sibling forwards', async () => {
    const input = (key: string) => ({ variantId: VARIANT, delta: 1, idempotencyKey: `${key}-${Date.now()}` });
    const adjustAs = async (as: CallAs, key: string) => {
      const res = await sg.call<{ adjustStock: AdjustResult }>(ADJUST_STOCK, { input: input(key) }, as);
      expect(res.errors).toBeUndefined();
      return res.data!.adjustStock;
    };
    const admin = { userId: 'admin-1', roles: ['admin'] };
    for (const caller of ['cart', 'order'] as const) {
      expect(await adjustAs({ ...admin, caller }, `adjust-by-${caller}`), caller).toMatchObject({
        __typename: 'PermissionDeniedError',
        code: 'PERMISSION_DENIED',
      });
    }
    expect(await adjustAs(admin, 'adjust-by-gateway')).toMatchObject({ __typename: 'StockLevel', variantId: VARIANT });
  });
});
