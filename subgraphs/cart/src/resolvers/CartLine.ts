import type { CartLineResolvers } from '../generated/resolvers-types.ts';

export const CartLine: CartLineResolvers = {
  variant: (line) => ({ __typename: 'Variant', id: line.variantId }),
};
