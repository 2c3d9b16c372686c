import type { GraphQLError } from 'graphql';
import { runWithLease, type IdempotentRequest, type Lease } from '@ecom/platform/idempotency';
import { SubgraphCallError } from '@ecom/platform/subgraph-client';
import { linesByOrderIds, type OrderDb } from '../db/orders.ts';
import { idempotencyKeys, type OrderRow } from '../db/schema.ts';
import type { IdempotencyOutcome } from './order-errors.ts';
import { orderView, type OrderView } from './order-view.ts';

type LeaseTx = Parameters<Lease['complete']>[0];

/** Stores the saga's answer in the caller's transaction (the subgraph's db type is the platform's, schema aside). */
export function completeLease(lease: Lease, tx: OrderDb, result: Record<string, unknown> & { __typename: string }): Promise<boolean> {
  return lease.complete(tx as unknown as LeaseTx, result);
}

/**
 * A saga under its idempotency key (see runWithLease). A sibling that fails mid-saga is a fault the
 * client may retry with the same key: typed TIMEOUT / SERVICE_UNAVAILABLE, never INTERNAL.
 */
export async function leased<R extends { __typename: string } & Record<string, unknown>>(
  db: OrderDb,
  request: IdempotentRequest,
  execute: (lease: Lease) => Promise<R>,
): Promise<R | IdempotencyOutcome> {
  try {
    return await runWithLease(db, idempotencyKeys, request, execute);
  } catch (err) {
    if (err instanceof SubgraphCallError) throw err.toGraphQLError() satisfies GraphQLError;
    throw err;
  }
}

export async function viewOf(db: OrderDb, row: OrderRow): Promise<OrderView> {
  return orderView(row, await linesByOrderIds(db, [row.id]));
}
