import type { CategoryResolvers } from '../generated/resolvers-types.ts';

export const Category: CategoryResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.category.load(ref.id),
};
