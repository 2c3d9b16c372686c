import type { ShopGroupResolvers } from '../generated/resolvers-types.ts';

export const ShopGroup: ShopGroupResolvers = {
  shop: (group) => ({ __typename: 'Shop', id: group.shopId }),
};
