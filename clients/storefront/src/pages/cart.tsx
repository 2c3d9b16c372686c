import { useState } from 'react';
import { useCart } from '../cart/cart-store.tsx';
import { CostSummary } from '../components/cost.tsx';
import { Notice } from '../components/notice.tsx';
import { Price } from '../components/price.tsx';
import { Stock } from '../components/stock.tsx';
import { formatMoney } from '../money.ts';
import { href } from '../router.ts';

export function CartPage() {
  const cart = useCart();
  const [code, setCode] = useState('');
  const current = cart.cart;
  if (!current || current.lines.length === 0) {
    return (
      <section>
        <h1>Your cart</h1>
        <Notice notice={cart.notice} />
        <p data-testid="cart-empty">
          Your cart is empty. <a href={href({ page: 'listing' })}>Continue shopping</a>
        </p>
      </section>
    );
  }
  const lineById = new Map(current.lines.map((l) => [l.id, l]));
  return (
    <section>
      <h1>Your cart</h1>
      <Notice notice={cart.notice} />
      {!current.shopGroups && (
        <p className="notice notice-info">
          Grouping by shop is unavailable right now.{' '}
          <button type="button" className="link-button" onClick={() => void cart.refresh()}>
            Retry
          </button>
        </p>
      )}
      {(current.shopGroups ?? [{ shop: { id: 'all', name: 'Items' }, lineIds: current.lines.map((l) => l.id), subtotal: null, shipping: null }]).map(
        (group) => (
          <div key={group.shop.id} className="shop-group" data-testid="shop-group">
            <h2>{group.shop.name}</h2>
            <ul className="lines">
              {group.lineIds.map((id) => {
                const line = lineById.get(id);
                if (!line) return null;
                return (
                  <li key={id} className="line" data-testid="cart-line">
                    <span className="line-title">
                      {line.variant.product.title} · {line.variant.title}
                    </span>
                    <Price min={line.variant.price} onRetry={() => void cart.refresh()} />
                    <Stock stock={line.variant.stock} />
                    <span className="qty">
                      <button
                        type="button"
                        aria-label="One fewer"
                        disabled={cart.busy || line.quantity <= 1}
                        onClick={() => void cart.updateLine(line.id, line.quantity - 1)}
                      >
                        −
                      </button>
                      <span data-testid="quantity">{line.quantity}</span>
                      <button
                        type="button"
                        aria-label="One more"
                        disabled={cart.busy || line.quantity >= 99}
                        onClick={() => void cart.updateLine(line.id, line.quantity + 1)}
                      >
                        +
                      </button>
                    </span>
                    <button type="button" className="link-button" disabled={cart.busy} onClick={() => void cart.removeLine(line.id)}>
                      Remove
                    </button>
                  </li>
                );
              })}
            </ul>
            <p className="group-cost">
              {group.subtotal && <>Subtotal {formatMoney(group.subtotal)} · </>}
              Shipping {group.shipping ? (group.shipping.amount === 0 ? 'free' : formatMoney(group.shipping)) : 'unavailable right now'}
            </p>
          </div>
        ),
      )}
      <form
        className="coupon"
        onSubmit={(e) => {
          e.preventDefault();
          if (code.trim()) void cart.applyCoupon(code.trim());
        }}
      >
        <label>
          Coupon <input name="coupon" value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        <button type="submit" disabled={cart.busy}>
          Apply
        </button>
      </form>
      {current.appliedPromotions?.map((p) => (
        <p key={p.id} className="promotion">
          {p.title}: −{formatMoney(p.amount)}
        </p>
      ))}
      <CostSummary cost={current.cost} onRetry={() => void cart.refresh()} />
      <a className="button primary" href={href({ page: 'checkout' })}>
        Checkout
      </a>
    </section>
  );
}
