import type { DomainErrorResult } from '@ecom/platform/errors';
import type { Caller } from './sibling-calls.ts';

export type StockState = 'RESERVED' | 'RELEASED' | 'SOLD' | 'RESTOCKED' | 'NONE';
export type InsufficientStock = DomainErrorResult<'InsufficientStockError', { variantId: string; available: number }>;

const RESERVE = /* GraphQL */ `
  mutation OrderReserveStock($input: ReserveStockInput!) {
    reserveStock(input: $input) {
      __typename
      ... on StockOperation { orderId state }
      ... on InsufficientStockError { code message retryable variantId available }
    }
  }
`;

const operation = (field: 'releaseStock' | 'commitStock' | 'restockOrder') => /* GraphQL */ `
  mutation Order_${field}($input: OrderStockInput!) {
    ${field}(input: $input) { orderId state }
  }
`;

/** All or nothing, idempotent per order id: a retry answers the reservation the first call made. */
export async function reserveStock(
  caller: Caller,
  input: { orderId: string; lines: { variantId: string; quantity: number }[]; expiresAt: string },
): Promise<{ state: StockState } | InsufficientStock> {
  const data = await caller.subgraphs.request<{
    reserveStock: { __typename: 'StockOperation'; orderId: string; state: StockState } | InsufficientStock;
  }>('inventory', RESERVE, { input }, caller.ctx);
  const result = data.reserveStock;
  return result.__typename === 'StockOperation' ? { state: result.state } : result;
}

async function stockOperation(caller: Caller, field: 'releaseStock' | 'commitStock' | 'restockOrder', orderId: string): Promise<StockState> {
  const data = await caller.subgraphs.request<Record<string, { state: StockState }>>('inventory', operation(field), { input: { orderId } }, caller.ctx);
  return data[field]!.state;
}

/** RELEASED once released (or already released); SOLD when a payment committed first. */
export const releaseStock = (caller: Caller, orderId: string) => stockOperation(caller, 'releaseStock', orderId);
/** SOLD once committed; RELEASED when the reservation was released first (the order cannot be paid). */
export const commitStock = (caller: Caller, orderId: string) => stockOperation(caller, 'commitStock', orderId);
/** RESTOCKED once sold units are back on hand. */
export const restockOrder = (caller: Caller, orderId: string) => stockOperation(caller, 'restockOrder', orderId);
