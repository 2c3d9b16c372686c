import type { QuotedShopGroup } from '../services/cart-quote.ts';

export const ShopGroup = {
  shop: (group: QuotedShopGroup) => ({ __typename: 'Shop', id: group.shopId }),
};
