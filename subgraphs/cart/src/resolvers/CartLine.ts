import type { CartSnapshotLine } from '../services/cart-snapshot.ts';

export const CartLine = {
  variant: (line: CartSnapshotLine) => ({ __typename: 'Variant', id: line.variantId }),
};
