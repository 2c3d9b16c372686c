import type { OrderDb } from './orders.ts';

/** Orders exist only once someone places them: there is no demo data to seed. */
export async function seedOrder(_db: OrderDb): Promise<void> {}
