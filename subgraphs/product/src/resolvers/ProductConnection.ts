import type { ProductConnectionResolvers } from '../generated/resolvers-types.ts';

export const ProductConnection: ProductConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
};
