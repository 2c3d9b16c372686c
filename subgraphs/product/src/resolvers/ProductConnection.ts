import type { ProductPage } from '../services/product-listing.ts';

export const ProductConnection = {
  totalCount: (page: ProductPage) => page.totalCount(),
};
