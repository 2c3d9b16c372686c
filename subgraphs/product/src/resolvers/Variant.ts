import type { VariantResolvers } from '../generated/resolvers-types.ts';
import { requiredRow } from '../services/required-row.ts';

export const Variant: VariantResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.variant.load(ref.id),
  product: (v, _, ctx) => requiredRow(ctx.loaders.product.load(v.productId), 'product'),
};
