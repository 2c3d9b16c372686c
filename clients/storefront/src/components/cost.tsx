import type { CartFieldsFragment } from '@ecom/schema/generated/operations';
import { formatMoney } from '../money.ts';

type Cost = NonNullable<CartFieldsFragment['cost']>;

/** Subtotal, discount, shipping and total, as the graph computed them. */
export function CostSummary({ cost, onRetry }: { cost: Cost | null; onRetry: () => void }) {
  if (!cost) {
    return (
      <p className="cost" data-testid="cost-unavailable">
        Total unavailable right now —{' '}
        <button type="button" className="link-button" onClick={onRetry}>
          retry
        </button>
      </p>
    );
  }
  return (
    <dl className="cost" data-testid="cost">
      <dt>Subtotal</dt>
      <dd>{formatMoney(cost.subtotal)}</dd>
      {cost.discount.amount > 0 && (
        <>
          <dt>Discount</dt>
          <dd>−{formatMoney(cost.discount)}</dd>
        </>
      )}
      <dt>Shipping</dt>
      <dd>{cost.shipping.amount === 0 ? 'Free' : formatMoney(cost.shipping)}</dd>
      <dt>Total</dt>
      <dd data-testid="total">{formatMoney(cost.total)}</dd>
    </dl>
  );
}
