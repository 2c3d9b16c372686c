import { PlaceOrderDocument } from '@ecom/schema/generated/operations';
import { useRef, useState } from 'react';
import { useCart } from '../cart/cart-store.tsx';
import { CostSummary } from '../components/cost.tsx';
import { Notice, type NoticeState } from '../components/notice.tsx';
import { SignIn } from '../components/sign-in.tsx';
import { domainMessage, faultMessage } from '../errors.ts';
import { runAction } from '../graphql/run-action.ts';
import { ActionKey } from '../idempotency.ts';
import { formatMoney } from '../money.ts';
import { href, navigate } from '../router.ts';
import { useSession } from '../use-session.ts';

const ADDRESS_FIELDS = [
  { name: 'name', label: 'Full name', value: 'Ada Shopper' },
  { name: 'line1', label: 'Address', value: '1 Demo Street' },
  { name: 'city', label: 'City', value: 'Shanghai' },
  { name: 'postalCode', label: 'Postal code', value: '200000' },
  { name: 'country', label: 'Country (2 letters)', value: 'CN' },
] as const;

export function CheckoutPage() {
  const signedIn = useSession();
  const cart = useCart();
  const [address, setAddress] = useState<Record<string, string>>(Object.fromEntries(ADDRESS_FIELDS.map((f) => [f.name, f.value])));
  const [notice, setNotice] = useState<NoticeState>();
  const [placing, setPlacing] = useState(false);
  // One key for "place this order": a double click, an automatic retry or "Try again" reuse it.
  const key = useRef(new ActionKey());
  const inFlight = useRef<Promise<void> | undefined>(undefined);

  if (!signedIn) {
    return (
      <section>
        <h1>Checkout</h1>
        <p>Please sign in to place your order; your cart comes with you.</p>
        <SignIn />
      </section>
    );
  }
  const current = cart.cart;
  if (!current || current.lines.length === 0) {
    return (
      <section>
        <h1>Checkout</h1>
        <p>
          Your cart is empty. <a href={href({ page: 'listing' })}>Continue shopping</a>
        </p>
      </section>
    );
  }

  async function place() {
    setPlacing(true);
    const total = current!.cost?.total;
    const answer = await runAction(PlaceOrderDocument, 'placeOrder', key.current, (idempotencyKey) => ({
      input: {
        cartId: current!.id,
        shippingAddress: {
          name: address.name!,
          line1: address.line1!,
          city: address.city!,
          postalCode: address.postalCode!,
          country: address.country!,
        },
        expectedTotal: total ? { amount: total.amount, currency: total.currency } : undefined,
        idempotencyKey,
      },
    }));
    setPlacing(false);
    if (answer.kind === 'failed')
      return setNotice({
        tone: 'error',
        text: `${faultMessage(answer.errors)} Your order was not placed twice: trying again is safe.`,
        requestId: answer.requestId,
      });
    const result = answer.data.placeOrder;
    if (result.__typename === 'Order') {
      cart.forget();
      navigate({ page: 'order', id: result.id });
      return;
    }
    if (result.__typename === 'PriceChangedError') {
      await cart.refresh();
      return setNotice({
        tone: 'error',
        text: `${domainMessage(result)} New total: ${formatMoney(result.actualTotal)}.`,
        requestId: answer.requestId,
      });
    }
    if (result.__typename === 'InsufficientStockError') await cart.refresh();
    setNotice({ tone: 'error', text: domainMessage(result), requestId: answer.requestId });
  }

  const onPlace = () => {
    // A second click while the first is on its way is the same action: nothing new is sent.
    inFlight.current ??= place().finally(() => (inFlight.current = undefined));
  };

  return (
    <section>
      <h1>Checkout</h1>
      <form
        className="address"
        onSubmit={(e) => {
          e.preventDefault();
          onPlace();
        }}
      >
        <fieldset>
          <legend>Shipping address</legend>
          {ADDRESS_FIELDS.map((f) => (
            <label key={f.name}>
              {f.label}
              <input name={f.name} required value={address[f.name]} onChange={(e) => setAddress({ ...address, [f.name]: e.target.value })} />
            </label>
          ))}
        </fieldset>
        <CostSummary cost={current.cost} onRetry={() => void cart.refresh()} />
        <Notice notice={notice} />
        <button type="submit" className="primary" data-testid="place-order" disabled={placing || !current.cost}>
          {placing ? 'Placing your order…' : 'Place order'}
        </button>
      </form>
    </section>
  );
}
