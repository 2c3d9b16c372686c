import { startTestSubgraph } from '@ecom/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDiscrepancies } from '../src/db/ledger.ts';
import { inventorySubgraph } from '../src/server.ts';
import { adjust, reserve, stockOf, type Inventory } from './inventory-client.ts';

let sg: Inventory;
beforeAll(async () => {
  sg = await startTestSubgraph(inventorySubgraph);
});
afterAll(() => sg?.dispose());

let keys = 0;
const key = () => `adjust-test-${++keys}`;

describe('adjustStock', () => {
  it('lets an admin receive and write off units, and records each in the ledger', async () => {
    const before = await stockOf(sg, 'var-001-1');
    const received = await adjust(sg, { variantId: 'var-001-1', delta: 25, reason: 'delivery 42', idempotencyKey: key() });
    expect(received).toEqual({
      __typename: 'StockLevel',
      variantId: 'var-001-1',
      onHand: before.onHand + 25,
      reserved: 0,
      available: before.onHand + 25,
      status: 'IN_STOCK',
    });
    const writtenOff = await adjust(sg, { variantId: 'var-001-1', delta: -(before.onHand + 22), idempotencyKey: key() });
    expect(writtenOff).toMatchObject({ __typename: 'StockLevel', onHand: 3, available: 3, status: 'LOW_STOCK' });
    expect(await stockOf(sg, 'var-001-1')).toMatchObject({ onHand: 3 });
    expect(await ledgerDiscrepancies(sg.deps.db)).toEqual([]);
  });

  it('refuses anyone but an admin', async () => {
    const input = { variantId: 'var-001-2', delta: 5, idempotencyKey: key() };
    expect(await adjust(sg, input, { userId: 'shopper-1', roles: [] })).toMatchObject({
      __typename: 'PermissionDeniedError',
      code: 'PERMISSION_DENIED',
      retryable: false,
    });
    expect(await adjust(sg, input, {})).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    // Neither refusal consumed the key: the admin's request with it runs.
    const before = await stockOf(sg, 'var-001-2');
    expect(await adjust(sg, input)).toMatchObject({ __typename: 'StockLevel', onHand: before.onHand + 5 });
  });

  it('answers NotFoundError for an unknown variant', async () => {
    expect(await adjust(sg, { variantId: 'var-999-1', delta: 5, idempotencyKey: key() })).toMatchObject({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
  });

  it('may not take onHand below reserved: ValidationError naming the reserved units, nothing changes, key reusable', async () => {
    const variantId = 'var-002-1';
    const before = await stockOf(sg, variantId);
    expect(await reserve(sg, 'order-adjust-1', [{ variantId, quantity: 4 }])).toMatchObject({ state: 'RESERVED' });
    const k = key();
    const refused = await adjust(sg, { variantId, delta: -(before.onHand - 3), idempotencyKey: k });
    expect(refused).toMatchObject({ __typename: 'ValidationError', code: 'INVALID_INPUT', field: 'input.delta' });
    expect(refused.message).toContain('4 of the');
    expect(refused.message).toContain('reserved');
    expect(await stockOf(sg, variantId)).toMatchObject({ onHand: before.onHand, reserved: 4 });

    // A ValidationError is not stored: the corrected request may use the same key.
    const corrected = await adjust(sg, { variantId, delta: -(before.onHand - 4), idempotencyKey: k });
    expect(corrected).toMatchObject({ __typename: 'StockLevel', onHand: 4, reserved: 4, available: 0, status: 'OUT_OF_STOCK' });
  });

  it('may not take onHand below zero', async () => {
    const res = await adjust(sg, { variantId: 'var-010-1', delta: -1, idempotencyKey: key() });
    expect(res).toMatchObject({ __typename: 'ValidationError', field: 'input.delta' });
    expect(await stockOf(sg, 'var-010-1')).toMatchObject({ onHand: 0 });
  });

  it('replays the same key with the same input without applying it twice', async () => {
    const input = { variantId: 'var-004-1', delta: 7, reason: 'recount', idempotencyKey: key() };
    const before = await stockOf(sg, 'var-004-1');
    const first = await adjust(sg, input);
    const again = await adjust(sg, input);
    expect(first).toMatchObject({ __typename: 'StockLevel', onHand: before.onHand + 7 });
    expect(again).toEqual(first);
    expect(await stockOf(sg, 'var-004-1')).toMatchObject({ onHand: before.onHand + 7 });

    // Concurrent duplicates of a fresh key also apply once.
    const burst = { ...input, idempotencyKey: key() };
    const results = await Promise.all(Array.from({ length: 8 }, () => adjust(sg, burst)));
    for (const r of results) expect(['StockLevel', 'IdempotencyInProgressError']).toContain(r.__typename);
    expect(await stockOf(sg, 'var-004-1')).toMatchObject({ onHand: before.onHand + 14 });
    expect(await ledgerDiscrepancies(sg.deps.db)).toEqual([]);
  });

  it('answers IdempotencyKeyReusedError for the same key with another input, and runs nothing', async () => {
    const k = key();
    const before = await stockOf(sg, 'var-004-2');
    await adjust(sg, { variantId: 'var-004-2', delta: 1, idempotencyKey: k });
    const reused = await adjust(sg, { variantId: 'var-004-2', delta: 2, idempotencyKey: k });
    expect(reused).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    expect(await stockOf(sg, 'var-004-2')).toMatchObject({ onHand: before.onHand + 1 });
  });

  it('scopes keys to the caller: another admin may use the same key', async () => {
    const k = key();
    const before = await stockOf(sg, 'var-004-3');
    await adjust(sg, { variantId: 'var-004-3', delta: 1, idempotencyKey: k });
    const other = await adjust(sg, { variantId: 'var-004-3', delta: 1, idempotencyKey: k }, { userId: 'admin-2', roles: ['admin'] });
    expect(other).toMatchObject({ __typename: 'StockLevel', onHand: before.onHand + 2 });
  });

  it.each([
    ['an empty key', ''],
    ['a non-ASCII key', 'clé-ü'],
    ['a 256-character key', 'k'.repeat(256)],
  ])('answers ValidationError for %s and changes nothing', async (_, idempotencyKey) => {
    const before = await stockOf(sg, 'var-005-1');
    const res = await adjust(sg, { variantId: 'var-005-1', delta: 1, idempotencyKey });
    expect(res).toMatchObject({ __typename: 'ValidationError', code: 'INVALID_INPUT', retryable: false, field: 'input.idempotencyKey' });
    expect(await stockOf(sg, 'var-005-1')).toEqual(before);
  });

  it.each([
    ['a zero delta', { delta: 0 }, 'input.delta'],
    ['a delta beyond 100000', { delta: 100_001 }, 'input.delta'],
    ['a write-off beyond 100000', { delta: -100_001 }, 'input.delta'],
    ['a reason over 500 characters', { delta: 1, reason: 'r'.repeat(501) }, 'input.reason'],
  ])('answers ValidationError for %s, changes nothing and stores nothing', async (_, fields, field) => {
    const before = await stockOf(sg, 'var-005-2');
    const k = key();
    const res = await adjust(sg, { variantId: 'var-005-2', idempotencyKey: k, ...fields });
    expect(res).toMatchObject({ __typename: 'ValidationError', code: 'INVALID_INPUT', retryable: false, field });
    expect(await stockOf(sg, 'var-005-2')).toEqual(before);
    // Not stored: the corrected request may use the same key.
    expect(await adjust(sg, { variantId: 'var-005-2', delta: 1, idempotencyKey: k })).toMatchObject({
      __typename: 'StockLevel',
      onHand: before.onHand + 1,
    });
  });

  it('accepts a receipt of exactly 100000 units', async () => {
    const res = await adjust(sg, { variantId: 'var-006-1', delta: 100_000, idempotencyKey: key() });
    expect(res).toMatchObject({ __typename: 'StockLevel', status: 'IN_STOCK' });
  });
});
