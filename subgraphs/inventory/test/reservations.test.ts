import { startTestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDiscrepancies } from '../src/db/ledger.ts';
import { reservationState } from '../src/db/reservations.ts';
import { inventorySubgraph } from '../src/server.ts';
import { ORDER_SAGA, reserve, setAvailable, step, stockOf, type Insufficient, type Inventory, type Operation } from './inventory-client.ts';

let sg: Inventory;
beforeAll(async () => {
  // A fast backstop sweeper, so the expiry test needs no long wait.
  sg = await startTestSubgraph(inventorySubgraph, { settings: { reservationSweepIntervalMs: 100 } });
});
afterAll(() => sg?.dispose());

const books = () => ledgerDiscrepancies(sg.deps.db);

describe('reserveStock', () => {
  it('never oversells: 40 concurrent single-unit orders for 7 available units reserve exactly 7', async () => {
    const variantId = 'var-011-1';
    const start = await setAvailable(sg, variantId, 7);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => reserve(sg, `order-race-${i}`, [{ variantId, quantity: 1 }])));

    const reserved = results.filter((r): r is Operation => r.__typename === 'StockOperation');
    const short = results.filter((r): r is Insufficient => r.__typename === 'InsufficientStockError');
    expect(reserved).toHaveLength(7);
    expect(reserved.every((r) => r.state === 'RESERVED')).toBe(true);
    expect(short).toHaveLength(33);
    for (const s of short) {
      expect(s).toMatchObject({ code: 'INSUFFICIENT_STOCK', variantId });
      expect(s.available).toBeGreaterThanOrEqual(0);
      expect(s.available).toBeLessThan(7);
    }

    const after = await stockOf(sg, variantId);
    expect(after).toMatchObject({ onHand: start.onHand, reserved: start.reserved + 7, available: 0, status: 'OUT_OF_STOCK' });
    expect(after.onHand).toBeGreaterThanOrEqual(after.reserved);
    expect(after.reserved).toBeGreaterThanOrEqual(0);
    expect(await books()).toEqual([]);
  });

  it('reserves all lines or none: one short line reserves nothing', async () => {
    await setAvailable(sg, 'var-012-2', 2);
    const plenty = await stockOf(sg, 'var-012-1');
    const res = await reserve(sg, 'order-short', [
      { variantId: 'var-012-1', quantity: 3 },
      { variantId: 'var-012-2', quantity: 3 },
    ]);
    expect(res).toMatchObject({ __typename: 'InsufficientStockError', code: 'INSUFFICIENT_STOCK', variantId: 'var-012-2', available: 2 });
    expect((res as Insufficient).message).toContain('Only 2');
    expect(await stockOf(sg, 'var-012-1')).toEqual(plenty);
    expect(await stockOf(sg, 'var-012-2')).toMatchObject({ reserved: 0, available: 2 });
    // Nothing was recorded for the order: it may be tried again once stock arrives.
    expect(await step(sg, 'releaseStock', 'order-short')).toMatchObject({ state: 'NONE' });
    await setAvailable(sg, 'var-012-2', 3);
    expect(
      await reserve(sg, 'order-short', [
        { variantId: 'var-012-1', quantity: 3 },
        { variantId: 'var-012-2', quantity: 3 },
      ]),
    ).toMatchObject({
      state: 'RESERVED',
    });
  });

  it('treats an unknown variant as out of stock', async () => {
    expect(await reserve(sg, 'order-ghost', [{ variantId: 'var-999-1', quantity: 1 }])).toMatchObject({
      __typename: 'InsufficientStockError',
      variantId: 'var-999-1',
      available: 0,
    });
  });

  it('merges duplicate lines and is idempotent per order id', async () => {
    const variantId = 'var-013-1';
    const before = await stockOf(sg, variantId);
    const lines = [
      { variantId, quantity: 1 },
      { variantId, quantity: 2 },
    ];
    expect(await reserve(sg, 'order-repeat', lines)).toEqual({ __typename: 'StockOperation', orderId: 'order-repeat', state: 'RESERVED' });
    // Retries, sequential and concurrent, find the reservation and reserve nothing more.
    expect(await reserve(sg, 'order-repeat', lines)).toMatchObject({ state: 'RESERVED' });
    const burst = await Promise.all(Array.from({ length: 5 }, () => reserve(sg, 'order-repeat', lines)));
    expect(burst.every((r) => r.__typename === 'StockOperation' && r.state === 'RESERVED')).toBe(true);
    expect(await stockOf(sg, variantId)).toMatchObject({ reserved: before.reserved + 3, available: before.available - 3 });

    // Released orders are never reserved again.
    expect(await step(sg, 'releaseStock', 'order-repeat')).toMatchObject({ state: 'RELEASED' });
    expect(await reserve(sg, 'order-repeat', lines)).toMatchObject({ state: 'RELEASED' });
    expect(await stockOf(sg, variantId)).toMatchObject({ reserved: before.reserved });
    expect(await books()).toEqual([]);
  });

  it('concurrent first calls for one order reserve once', async () => {
    const variantId = 'var-022-1';
    const before = await stockOf(sg, variantId);
    const results = await Promise.all(Array.from({ length: 6 }, () => reserve(sg, 'order-twin', [{ variantId, quantity: 2 }])));
    expect(results.every((r) => r.__typename === 'StockOperation' && r.state === 'RESERVED')).toBe(true);
    expect(await stockOf(sg, variantId)).toMatchObject({ reserved: before.reserved + 2 });
  });

  it.each([
    ['no lines', { lines: [] }, 'input.lines'],
    ['a zero quantity', { lines: [{ variantId: 'var-014-1', quantity: 0 }] }, 'input.lines[0].quantity'],
    ['a quantity over 999', { lines: [{ variantId: 'var-014-1', quantity: 1000 }] }, 'input.lines[0].quantity'],
    ['a bad expiry', { expiresAt: 'tomorrow-ish' }, 'input.expiresAt'],
    ['an empty order id', { orderId: '' }, 'input.orderId'],
  ])('rejects %s with INVALID_INPUT, reserving nothing', async (_, override, field) => {
    const before = await stockOf(sg, 'var-014-1');
    const input = { orderId: 'order-invalid', lines: [{ variantId: 'var-014-1', quantity: 1 }], expiresAt: new Date().toISOString(), ...override };
    const res = await sg.call(`mutation ($input: ReserveStockInput!) { reserveStock(input: $input) { __typename } }`, { input }, ORDER_SAGA);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_INPUT', field });
    expect(await stockOf(sg, 'var-014-1')).toEqual(before);
  });
});

describe('the reservation state machine', () => {
  it('release: RESERVED → RELEASED returns the units; repeats are no-ops', async () => {
    const variantId = 'var-015-1';
    const before = await stockOf(sg, variantId);
    await reserve(sg, 'order-release', [{ variantId, quantity: 4 }]);
    expect(await stockOf(sg, variantId)).toMatchObject({ reserved: before.reserved + 4 });
    expect(await step(sg, 'releaseStock', 'order-release')).toEqual({ __typename: 'StockOperation', orderId: 'order-release', state: 'RELEASED' });
    expect(await step(sg, 'releaseStock', 'order-release')).toMatchObject({ state: 'RELEASED' });
    expect(await stockOf(sg, variantId)).toEqual(before);
    // A payment arriving after the release is told so, and sells nothing.
    expect(await step(sg, 'commitStock', 'order-release')).toMatchObject({ state: 'RELEASED' });
    expect(await step(sg, 'restockOrder', 'order-release')).toMatchObject({ state: 'RELEASED' });
    expect(await stockOf(sg, variantId)).toEqual(before);
  });

  it('commit: RESERVED → SOLD takes the units off the shelf; restock: SOLD → RESTOCKED returns them', async () => {
    const before = { a: await stockOf(sg, 'var-016-1'), b: await stockOf(sg, 'var-016-2') };
    await reserve(sg, 'order-paid', [
      { variantId: 'var-016-2', quantity: 2 },
      { variantId: 'var-016-1', quantity: 3 },
    ]);
    expect(await step(sg, 'commitStock', 'order-paid')).toEqual({ __typename: 'StockOperation', orderId: 'order-paid', state: 'SOLD' });
    expect(await step(sg, 'commitStock', 'order-paid')).toMatchObject({ state: 'SOLD' });
    expect(await step(sg, 'releaseStock', 'order-paid')).toMatchObject({ state: 'SOLD' });
    expect(await stockOf(sg, 'var-016-1')).toMatchObject({
      onHand: before.a.onHand - 3,
      reserved: before.a.reserved,
      available: before.a.available - 3,
    });
    expect(await stockOf(sg, 'var-016-2')).toMatchObject({ onHand: before.b.onHand - 2, reserved: before.b.reserved });
    expect(await books()).toEqual([]);

    expect(await step(sg, 'restockOrder', 'order-paid')).toMatchObject({ state: 'RESTOCKED' });
    expect(await step(sg, 'restockOrder', 'order-paid')).toMatchObject({ state: 'RESTOCKED' });
    expect(await step(sg, 'commitStock', 'order-paid')).toMatchObject({ state: 'RESTOCKED' });
    expect(await stockOf(sg, 'var-016-1')).toEqual(before.a);
    expect(await stockOf(sg, 'var-016-2')).toEqual(before.b);
    expect(await books()).toEqual([]);
  });

  it('restock of a reservation that was never sold is a no-op', async () => {
    await reserve(sg, 'order-unpaid', [{ variantId: 'var-017-1', quantity: 1 }]);
    expect(await step(sg, 'restockOrder', 'order-unpaid')).toMatchObject({ state: 'RESERVED' });
  });

  it('answers NONE for an order it has no reservation for', async () => {
    for (const s of ['releaseStock', 'commitStock', 'restockOrder'] as const) {
      expect(await step(sg, s, 'order-unknown')).toEqual({ __typename: 'StockOperation', orderId: 'order-unknown', state: 'NONE' });
    }
  });

  it('lets exactly one of a racing payment and cancellation apply', async () => {
    const variantId = 'var-018-1';
    const before = await stockOf(sg, variantId);
    await reserve(sg, 'order-contested', [{ variantId, quantity: 2 }]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => step(sg, i % 2 === 0 ? 'commitStock' : 'releaseStock', 'order-contested')),
    );
    const final = results.map((r) => r.state);
    expect(new Set(final).size).toBe(1);
    const after = await stockOf(sg, variantId);
    if (final[0] === 'SOLD') expect(after).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    else expect(after).toEqual(before);
    expect(['SOLD', 'RELEASED']).toContain(final[0]);
    expect(await books()).toEqual([]);
  });

  it('keeps the books: sold + on hand = received for every variant after a mixed history', async () => {
    const variantId = 'var-019-1';
    await setAvailable(sg, variantId, 10);
    await Promise.all(Array.from({ length: 12 }, (_, i) => reserve(sg, `order-mixed-${i}`, [{ variantId, quantity: 1 }])));
    for (let i = 0; i < 12; i++) {
      const id = `order-mixed-${i}`;
      if (i % 3 === 0) await step(sg, 'releaseStock', id);
      else {
        await step(sg, 'commitStock', id);
        if (i % 3 === 2) await step(sg, 'restockOrder', id);
      }
    }
    const after = await stockOf(sg, variantId);
    expect(after.onHand).toBeGreaterThanOrEqual(after.reserved);
    expect(after.reserved).toBe(0);
    expect(await books()).toEqual([]);
  });
});

describe('the backstop sweeper', () => {
  it('releases a reservation left more than 60 s past its expiry, with no request, and leaves fresher ones', async () => {
    const variantId = 'var-021-1';
    const before = await stockOf(sg, variantId);
    const now = Date.now();
    await reserve(sg, 'order-abandoned', [{ variantId, quantity: 2 }], new Date(now - 61_000));
    await reserve(sg, 'order-just-expired', [{ variantId, quantity: 1 }], new Date(now - 5_000));
    await reserve(sg, 'order-live', [{ variantId, quantity: 1 }], new Date(now + 60_000));

    const deadline = Date.now() + 20_000;
    while ((await reservationState(sg.deps.db, 'order-abandoned')) === 'RESERVED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await reservationState(sg.deps.db, 'order-abandoned')).toBe('RELEASED');
    expect(await reservationState(sg.deps.db, 'order-just-expired')).toBe('RESERVED');
    expect(await reservationState(sg.deps.db, 'order-live')).toBe('RESERVED');
    expect(await stockOf(sg, variantId)).toMatchObject({ reserved: before.reserved + 2 });
    expect(await books()).toEqual([]);
  });
});
