import type { ProductContext } from '../context.ts';

export const Category = {
  __resolveReference: (ref: { id: string }, ctx: ProductContext) => ctx.loaders.category.load(ref.id),
};
