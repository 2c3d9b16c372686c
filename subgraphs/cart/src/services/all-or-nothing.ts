import { isDomainError } from '@ecom/platform/errors';
import type { CartDb } from '../db/carts.ts';

class Undo<R> {
  constructor(readonly result: R) {}
}

/**
 * Runs `work` in a savepoint: a business error it returns undoes every write it made (an empty
 * cart it created, a version it raised), while the enclosing transaction still stores that error
 * for the idempotency key.
 */
export async function allOrNothing<R extends { __typename: string }>(tx: CartDb, work: (sp: CartDb) => Promise<R>): Promise<R> {
  try {
    return await tx.transaction(async (sp) => {
      const result = await work(sp);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- Undo is a sentinel that carries the result out of the savepoint, caught below; not a fault.
      if (isDomainError(result)) throw new Undo(result);
      return result;
    });
  } catch (err) {
    if (err instanceof Undo) return err.result as R;
    throw err;
  }
}
