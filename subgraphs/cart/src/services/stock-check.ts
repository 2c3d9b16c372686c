import type { SubgraphClient } from '@ecom/platform/subgraph-client';
import type { QuoteCaller } from './cart-quote.ts';

const AVAILABILITY = /* GraphQL */ `
  query CartAvailability($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Variant { id stock { available } } }
  }
`;

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
  const data = await subgraphs.request<{ _entities: ({ id: string; stock: { available: number } | null } | null)[] }>(
    'inventory',
    AVAILABILITY,
    { representations: ids.map((id) => ({ __typename: 'Variant', id })) },
    caller,
  );
  ids.forEach((id, i) => result.set(id, data._entities[i]?.stock?.available ?? null));
  return result;
}
