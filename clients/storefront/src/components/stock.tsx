import type { StockStatus } from '@ecom/schema/generated/operations';

/** Out of stock and low stock are said plainly; unknown stock is not shown as available. */
export function Stock({ stock }: { stock?: { status: StockStatus; available: number } | null }) {
  if (!stock)
    return (
      <span className="stock stock-unknown" data-testid="stock-unknown">
        Stock unknown right now
      </span>
    );
  if (stock.status === 'OUT_OF_STOCK')
    return (
      <span className="stock stock-out" data-testid="stock-out">
        Out of stock
      </span>
    );
  if (stock.status === 'LOW_STOCK')
    return (
      <span className="stock stock-low" data-testid="stock-low">
        Only {stock.available} left
      </span>
    );
  return <span className="stock stock-in">In stock</span>;
}
