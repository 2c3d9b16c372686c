import type { CallAs, TestSubgraph } from '@ecom/platform/testing';
import { expect } from 'vitest';

/** Signed calls to the inventory subgraph, as the gateway (reads, adjustStock) and the order saga make them. */
export type Inventory = TestSubgraph<Record<string, unknown>>;

export interface StockLevel {
  variantId: string;
  onHand: number;
  reserved: number;
  available: number;
  status: string;
}

export type Operation = { __typename: 'StockOperation'; orderId: string; state: string };
export type Insufficient = { __typename: 'InsufficientStockError'; code: string; message: string; variantId: string; available: number };

export const ADMIN: CallAs = { userId: 'admin-1', roles: ['admin'] };
/** The order saga: the only caller the stock steps answer. */
export const ORDER_SAGA: CallAs = { caller: 'order' };

const STOCK_LEVEL = `query ($id: ID!) { stockLevel(variantId: $id) { variantId onHand reserved available status } }`;

export async function stockOf(sg: Inventory, variantId: string): Promise<StockLevel> {
  const res = await sg.call<{ stockLevel: StockLevel | null }>(STOCK_LEVEL, { id: variantId });
  expect(res.errors).toBeUndefined();
  expect(res.data!.stockLevel).not.toBeNull();
  return res.data!.stockLevel!;
}

export const ADJUST_STOCK = /* GraphQL */ `
  mutation AdjustStock($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      __typename
      ... on StockLevel {
        variantId
        onHand
        reserved
        available
        status
      }
      ... on DomainError {
        code
        message
        retryable
      }
      ... on ValidationError {
        field
      }
    }
  }
`;

export type AdjustResult = { __typename: string; code?: string; message?: string; field?: string } & Partial<StockLevel>;

export async function adjust(sg: Inventory, input: Record<string, unknown>, as: CallAs = ADMIN): Promise<AdjustResult> {
  const res = await sg.call<{ adjustStock: AdjustResult }>(ADJUST_STOCK, { input }, as);
  expect(res.errors).toBeUndefined();
  return res.data!.adjustStock;
}

/** Brings a variant to exactly `available` units available, through an admin adjustment. */
export async function setAvailable(sg: Inventory, variantId: string, available: number): Promise<StockLevel> {
  const before = await stockOf(sg, variantId);
  const delta = available - before.available;
  if (delta === 0) return before;
  const res = await adjust(sg, { variantId, delta, idempotencyKey: `set-${variantId}-${available}-${Date.now()}` });
  expect(res.__typename).toBe('StockLevel');
  return res as StockLevel;
}

export const RESERVE = /* GraphQL */ `
  mutation ($input: ReserveStockInput!) {
    reserveStock(input: $input) {
      __typename
      ... on StockOperation {
        orderId
        state
      }
      ... on InsufficientStockError {
        code
        message
        variantId
        available
      }
    }
  }
`;

export async function reserve(
  sg: Inventory,
  orderId: string,
  lines: { variantId: string; quantity: number }[],
  expiresAt = new Date(Date.now() + 15 * 60_000),
): Promise<Operation | Insufficient> {
  const res = await sg.call<{ reserveStock: Operation | Insufficient }>(
    RESERVE,
    { input: { orderId, lines, expiresAt: expiresAt.toISOString() } },
    ORDER_SAGA,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.reserveStock;
}

export async function step(sg: Inventory, mutation: 'releaseStock' | 'commitStock' | 'restockOrder', orderId: string): Promise<Operation> {
  const res = await sg.call<Record<string, Operation>>(
    `mutation ($input: OrderStockInput!) { ${mutation}(input: $input) { __typename orderId state } }`,
    { input: { orderId } },
    ORDER_SAGA,
  );
  expect(res.errors).toBeUndefined();
  return res.data![mutation]!;
}
