import { domainError } from '@ecom/platform/errors';
import { runWithLease, type Lease } from '@ecom/platform/idempotency';
import { withSiblingFaults } from '@ecom/platform/sibling-fault';
import type { OrderContext } from '../context.ts';
import { linesByOrderIds, type OrderDb } from '../db/orders.ts';
import { idempotencyKeys, type OrderRow } from '../db/schema.ts';
import type { IdempotencyOutcome, Invalid, Unauthenticated } from './order-errors.ts';
import { orderView, type OrderView } from './order-view.ts';
import type { Caller } from './sibling-calls.ts';

type LeaseTx = Parameters<Lease['complete']>[0];

/** Stores the saga's answer in the caller's transaction (the subgraph's db type is the platform's, schema aside). */
export function completeLease(lease: Lease, tx: OrderDb, result: Record<string, unknown> & { __typename: string }): Promise<boolean> {
  return lease.complete(tx as unknown as LeaseTx, result);
}

/** How a saga opens: which mutation it is, what a signed-out caller is told, how its input is checked. */
export interface SagaOpening<I extends { idempotencyKey: string }> {
  mutation: string;
  signIn: string;
  input: I;
  validate(input: I): Invalid | null;
}

/** What a saga step runs as: the caller its sibling calls go out as, the user, and the key's lease. */
export interface SagaStep {
  caller: Caller;
  userId: string;
  lease: Lease;
}

/**
 * The one opening of every saga: signed in, input valid, then the work under the caller's
 * idempotency key (see runWithLease). A sibling that fails mid-saga is a fault the client may retry
 * with the same key: typed TIMEOUT / SERVICE_UNAVAILABLE, never INTERNAL.
 */
export async function openSaga<I extends { idempotencyKey: string }, R extends { __typename: string } & Record<string, unknown>>(
  ctx: OrderContext,
  opening: SagaOpening<I>,
  run: (step: SagaStep) => Promise<R>,
): Promise<R | Unauthenticated | Invalid | IdempotencyOutcome> {
  const userId = ctx.principal.userId;
  if (!userId) return domainError('UnauthenticatedError', opening.signIn);
  const invalid = opening.validate(opening.input);
  if (invalid) return invalid;
  const caller: Caller = { subgraphs: ctx.subgraphs, ctx };
  const request = { caller: `user:${userId}`, mutation: opening.mutation, key: opening.input.idempotencyKey, input: { ...opening.input } };
  return withSiblingFaults(() => runWithLease(ctx.db, idempotencyKeys, request, (lease) => run({ caller, userId, lease })));
}

export async function viewOf(db: OrderDb, row: OrderRow): Promise<OrderView> {
  return orderView(row, await linesByOrderIds(db, [row.id]));
}
