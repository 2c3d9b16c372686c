import type { Money } from '../generated/resolvers-types.ts';

export const money = (amount: number, currency: string): Money => ({ amount, currency });
