import { OrderVariantSnapshotDocument } from '../generated/product-calls.ts';
import type { Caller } from './sibling-calls.ts';

export interface VariantSnapshot {
  sku: string;
  title: string;
}

/** Titles and SKUs as the order will keep them, one call for every variant; unknown ids are absent. */
export async function variantSnapshots(caller: Caller, variantIds: string[]): Promise<Map<string, VariantSnapshot>> {
  const ids = [...new Set(variantIds)];
  const data = await caller.subgraphs.request(
    'product',
    OrderVariantSnapshotDocument,
    { representations: ids.map((id) => ({ __typename: 'Variant', id })) },
    caller.ctx,
  );
  const out = new Map<string, VariantSnapshot>();
  for (const v of data._entities) {
    if (v && 'id' in v) out.set(v.id, { sku: v.sku, title: v.product ? `${v.product.title} - ${v.title}` : v.title });
  }
  return out;
}
