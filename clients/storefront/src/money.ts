export interface Money {
  amount: number;
  currency: string;
}

const formats = new Map<string, Intl.NumberFormat>();

/** Amounts are in minor units (cents), as the contract's Money is. */
export function formatMoney(money: Money): string {
  let format = formats.get(money.currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency });
    formats.set(money.currency, format);
  }
  return format.format(money.amount / 100);
}
