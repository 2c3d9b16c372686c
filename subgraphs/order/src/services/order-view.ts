import type { AddressSnapshot, OrderLineRow, OrderRow, OrderStatus } from '../db/schema.ts';
import type { Money } from '../generated/resolvers-types.ts';

export interface OrderLineView {
  id: string;
  variantId: string;
  sku: string;
  title: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

/**
 * An order as the resolvers serve it and as mutation results are stored (plain JSON, replayable).
 * `lines` is absent when the order was read without them; the Order resolver then batches them in.
 */
export interface OrderView {
  __typename: 'Order';
  id: string;
  status: OrderStatus;
  createdAt: string;
  reservationExpiresAt: string | null;
  cost: { subtotal: Money; discount: Money; shipping: Money; total: Money };
  shippingAddress: AddressSnapshot;
  lines?: OrderLineView[];
  [key: string]: unknown;
}

export function lineView(row: OrderLineRow, currency: string): OrderLineView {
  return {
    id: row.id,
    variantId: row.variantId,
    sku: row.sku,
    title: row.title,
    quantity: row.quantity,
    unitPrice: { amount: row.unitPrice, currency },
    lineTotal: { amount: row.lineTotal, currency },
  };
}

export function orderView(row: OrderRow, lines?: OrderLineRow[]): OrderView {
  const money = (amount: number) => ({ amount, currency: row.currency });
  const view: OrderView = {
    __typename: 'Order',
    id: row.id,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    reservationExpiresAt: row.reservationExpiresAt?.toISOString() ?? null,
    cost: { subtotal: money(row.subtotal), discount: money(row.discount), shipping: money(row.shipping), total: money(row.total) },
    shippingAddress: {
      name: row.shippingAddress.name,
      line1: row.shippingAddress.line1,
      line2: row.shippingAddress.line2 ?? null,
      city: row.shippingAddress.city,
      postalCode: row.shippingAddress.postalCode,
      country: row.shippingAddress.country,
      phone: row.shippingAddress.phone ?? null,
    },
  };
  if (lines) view.lines = lines.map((l) => lineView(l, row.currency));
  return view;
}
