import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import { CartAvailabilityDocument } from '../generated/inventory-calls.ts';
import type { QuoteCaller } from './cart-quote.ts';

/**
 * Units available per variant, from inventory; null for a variant inventory does not know (which
 * the cart treats as an unknown variant). One call for any number of variants.
 */
export async function availabilityOf(
  subgraphs: SubgraphClient,
  caller: QuoteCaller,
  variantIds: readonly string[],
): Promise<Map<string, number | null>> {
  const ids = [...new Set(variantIds)];
  const result = new Map<string, number | null>();
  if (ids.length === 0) return result;
  const data = await subgraphs.request(
    'inventory',
    CartAvailabilityDocument,
    { representations: ids.map((id) => ({ __typename: 'Variant', id })) },
    caller,
  );
  ids.forEach((id, i) => {
    const entity = data._entities[i];
    result.set(id, entity && 'stock' in entity ? (entity.stock?.available ?? null) : null);
  });
  return result;
}
