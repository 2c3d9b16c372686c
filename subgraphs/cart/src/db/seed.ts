import type { CartDb } from './carts.ts';

/** Carts are made by shoppers; the demo seed has none. */
export async function seedCart(_db: CartDb): Promise<void> {}
