import type { ProductContext } from '../context.ts';
import type { VariantRow } from '../db/schema.ts';

export const Variant = {
  __resolveReference: (ref: { id: string }, ctx: ProductContext) => ctx.loaders.variant.load(ref.id),
  product: (v: VariantRow, _: unknown, ctx: ProductContext) => ctx.loaders.product.load(v.productId),
};
