import { formatMoney, type Money } from '../money.ts';
import type { FieldIssue } from '../graphql/partial-success.ts';

/**
 * A price as the answer gave it: live, a last-known value marked as possibly out of date, or
 * unavailable with a way to ask again. Never a made-up number.
 */
export function Price({ min, max, issue, onRetry }: { min?: Money | null; max?: Money | null; issue?: FieldIssue; onRetry: () => void }) {
  if (!min) {
    return (
      <span className="price price-unavailable" data-testid="price-unavailable">
        Price unavailable —{' '}
        <button type="button" className="link-button" onClick={onRetry}>
          retry
        </button>
      </span>
    );
  }
  const text = max && max.amount !== min.amount ? `${formatMoney(min)} – ${formatMoney(max)}` : formatMoney(min);
  return (
    <span className="price" data-testid="price">
      {text}
      {issue?.stale && (
        <span className="stale" data-testid="price-stale" title="Pricing is slow to answer; this is the last price we saw.">
          {' '}
          (may be out of date)
        </span>
      )}
    </span>
  );
}
