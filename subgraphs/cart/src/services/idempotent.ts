import type { DomainErrorResult } from '@ecom/platform/errors';
import { runInTransaction, type IdempotentRequest } from '@ecom/platform/idempotency';
import type { CartDb } from '../db/carts.ts';
import { idempotencyKeys } from '../db/schema.ts';
import type { Invalid } from './cart-rules.ts';

/** What the idempotency layer answers by itself: a bad key, a reused key, a duplicate still running. */
export type IdempotencyOutcome = Invalid | DomainErrorResult<'IdempotencyKeyReusedError'> | DomainErrorResult<'IdempotencyInProgressError'>;

/**
 * A cart mutation under its idempotency key, claim and writes in one transaction. Typed by what
 * the mutation itself can answer: runInTransaction returns `execute`'s own result (fresh or replayed
 * from storage) or an IdempotencyOutcome, which its generic signature cannot spell out.
 */
export function idempotent<R extends { __typename: string } & Record<string, unknown>>(
  db: CartDb,
  request: IdempotentRequest,
  execute: (tx: CartDb) => Promise<R>,
): Promise<R | IdempotencyOutcome> {
  return runInTransaction(db, idempotencyKeys, request, execute) as Promise<R | IdempotencyOutcome>;
}
