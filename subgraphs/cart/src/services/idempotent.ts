import { runInTransaction, type IdempotencyOutcome, type IdempotentRequest } from '@ecom/platform/idempotency';
import type { CartDb } from '../db/carts.ts';
import { idempotencyKeys } from '../db/schema.ts';

export type { IdempotencyOutcome };

/** A cart mutation under its idempotency key, claim and writes in one transaction. */
export function idempotent<R extends { __typename: string } & Record<string, unknown>>(
  db: CartDb,
  request: IdempotentRequest,
  execute: (tx: CartDb) => Promise<R>,
): Promise<R | IdempotencyOutcome> {
  return runInTransaction(db, idempotencyKeys, request, execute);
}
