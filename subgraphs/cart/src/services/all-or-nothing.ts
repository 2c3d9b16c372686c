import { isDomainError, type DomainErrorResult } from '@ecom/platform/errors';
import type { CartDb } from '../db/carts.ts';

class Undo {
  constructor(readonly result: DomainErrorResult) {}
}

/**
 * Runs `work` in a savepoint: a business error it returns undoes every write it made (an empty
 * cart it created, a version it raised), while the enclosing transaction still stores that error
 * for the idempotency key.
 */
export async function allOrNothing<T extends { __typename: string }>(
  tx: CartDb,
  work: (sp: CartDb) => Promise<T | DomainErrorResult>,
): Promise<T | DomainErrorResult> {
  try {
    return await tx.transaction(async (sp) => {
      const result = await work(sp);
      if (isDomainError(result)) throw new Undo(result);
      return result;
    });
  } catch (err) {
    if (err instanceof Undo) return err.result;
    throw err;
  }
}
