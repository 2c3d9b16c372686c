import type { ProductContext } from '../context.ts';

export const Shop = {
  __resolveReference: (ref: { id: string }, ctx: ProductContext) => ctx.loaders.shop.load(ref.id),
};
