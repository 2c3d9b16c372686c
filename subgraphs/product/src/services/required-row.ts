import { fault } from '@ecom/platform/errors';

/**
 * The row a non-null reference points at (a product's category, a variant's product). Catalog rows
 * are never deleted, so a miss is a broken invariant: an INTERNAL fault, not a silent null.
 */
export async function requiredRow<T>(pending: Promise<T | null>, what: string): Promise<T> {
  const row = await pending;
  if (row === null) throw fault('INTERNAL', `The catalog is missing a ${what} it refers to. Try again later.`);
  return row;
}
