import { domainError } from '@ecom/platform/errors';
import { runInTransaction, storedOutcome, validateKey, type IdempotencyOutcome, type IdempotentRequest } from '@ecom/platform/idempotency';
import type { CartDb } from '../db/carts.ts';
import { idempotencyKeys } from '../db/schema.ts';

export type { IdempotencyOutcome };

type Result = { __typename: string } & Record<string, unknown>;

/** A cart mutation under its idempotency key, claim and writes in one transaction. */
export function idempotent<R extends Result>(
  db: CartDb,
  request: IdempotentRequest,
  execute: (tx: CartDb) => Promise<R>,
): Promise<R | IdempotencyOutcome> {
  return runInTransaction(db, idempotencyKeys, request, execute);
}

/** Thrown inside the transaction when the cart is no longer what the sibling calls were made for. */
export class CartMoved extends Error {
  constructor() {
    super('the cart changed after its sibling calls; they are made again');
  }
}

const ATTEMPTS = 3;

/**
 * A cart mutation that needs other subgraphs (stock, prices, discounts). They are asked before the
 * transaction opens, so no pool connection or row lock waits on another service: `ask` reads
 * without locks and calls the siblings; `execute` runs under the lock and throws CartMoved when the
 * cart changed in between, which asks again: at most three times, then the client is told to retry
 * with the same key (nothing was stored for it). A key whose answer is stored is replayed without
 * asking anyone.
 */
export async function idempotentAfterCalls<A, R extends Result>(
  db: CartDb,
  request: IdempotentRequest,
  ask: () => Promise<A>,
  execute: (tx: CartDb, answers: A) => Promise<R>,
): Promise<R | IdempotencyOutcome> {
  const invalid = validateKey(request.key);
  if (invalid) return invalid;
  const stored = await storedOutcome<R>(db, idempotencyKeys, request);
  if (stored) return stored;
  for (let attempt = 1; ; attempt++) {
    const answers = await ask();
    try {
      return await runInTransaction(db, idempotencyKeys, request, (tx) => execute(tx, answers));
    } catch (err) {
      if (!(err instanceof CartMoved)) throw err;
      if (attempt >= ATTEMPTS) {
        return domainError('IdempotencyInProgressError', 'The cart kept changing while this change was being made. Retry shortly with the same key.');
      }
    }
  }
}
