import { CancelOrderDocument, OrderDocument, PayOrderDocument, type OrderFieldsFragment } from '@ecom/schema/generated/operations';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Notice, type NoticeState } from '../components/notice.tsx';
import { domainMessage, faultMessage } from '../errors.ts';
import { execute } from '../graphql/client.ts';
import { runAction } from '../graphql/run-action.ts';
import { ActionKey } from '../idempotency.ts';
import { formatMoney } from '../money.ts';
import { OrderStatusLabel } from '../components/order-status.tsx';

/** The simulated provider's test cards (contract: a token beginning tok_decline is declined). */
const CARDS = [
  { token: 'tok_visa', label: 'Visa ending 4242' },
  { token: 'tok_decline_insufficient_funds', label: 'Test card that is declined' },
];

export function OrderPage({ id }: { id: string }) {
  const [order, setOrder] = useState<OrderFieldsFragment | null>();
  const [notice, setNotice] = useState<NoticeState>();
  const [card, setCard] = useState(CARDS[0]!.token);
  const [busy, setBusy] = useState(false);
  const payKey = useRef(new ActionKey());
  const cancelKey = useRef(new ActionKey());

  const load = useCallback(async () => {
    const answer = await execute(OrderDocument, { id });
    if (answer.kind === 'failed') return setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId });
    setOrder(answer.data.order);
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  if (order === null) return <p>We couldn't find that order.</p>;
  if (order === undefined) return <Notice notice={notice ?? { tone: 'info', text: 'Loading…' }} />;

  async function pay() {
    setBusy(true);
    // Another card is another action; the same card again after a lost answer is the same one.
    const answer = await runAction(PayOrderDocument, 'payOrder', payKey.current, (idempotencyKey) => ({
      input: { orderId: id, paymentToken: card, idempotencyKey },
    }));
    setBusy(false);
    if (answer.kind === 'failed')
      return setNotice({
        tone: 'error',
        text: `${faultMessage(answer.errors)} You were not charged twice: trying again is safe.`,
        requestId: answer.requestId,
      });
    const result = answer.data.payOrder;
    if (result.__typename === 'Order') {
      setOrder(result);
      return setNotice({ tone: 'info', text: 'Payment received. Thank you!' });
    }
    setNotice({ tone: 'error', text: domainMessage(result), requestId: answer.requestId });
    await load();
  }

  async function cancel() {
    setBusy(true);
    const answer = await runAction(CancelOrderDocument, 'cancelOrder', cancelKey.current, (idempotencyKey) => ({
      input: { orderId: id, idempotencyKey },
    }));
    setBusy(false);
    if (answer.kind === 'failed') return setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId });
    const result = answer.data.cancelOrder;
    if (result.__typename === 'Order') {
      setOrder(result);
      return setNotice({ tone: 'info', text: 'Your order is cancelled.' });
    }
    setNotice({ tone: 'error', text: domainMessage(result), requestId: answer.requestId });
  }

  return (
    <section>
      <h1>Order {order.id.slice(0, 8)}</h1>
      <p>
        <OrderStatusLabel status={order.status} /> · placed {new Date(order.createdAt).toLocaleString()}
      </p>
      <ul className="lines">
        {order.lines.map((l) => (
          <li key={l.id} className="line">
            {l.quantity} × {l.title} ({l.sku}) · {formatMoney(l.lineTotal)}
          </li>
        ))}
      </ul>
      {order.cost && <p data-testid="order-total">Total {formatMoney(order.cost.total)}</p>}
      <Notice notice={notice} />
      {order.status === 'PENDING_PAYMENT' && (
        <form
          className="payment"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void pay();
          }}
        >
          {order.reservationExpiresAt && <p>Your items are reserved until {new Date(order.reservationExpiresAt).toLocaleTimeString()}.</p>}
          <fieldset>
            <legend>Pay with</legend>
            {CARDS.map((c) => (
              <label key={c.token}>
                <input
                  type="radio"
                  name="card"
                  value={c.token}
                  checked={card === c.token}
                  onChange={() => {
                    setCard(c.token);
                    payKey.current.settle();
                  }}
                />
                {c.label}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" data-testid="pay" disabled={busy}>
            Pay
          </button>
        </form>
      )}
      {(order.status === 'PENDING_PAYMENT' || order.status === 'PAID') && (
        <button type="button" disabled={busy} onClick={() => void cancel()}>
          Cancel order
        </button>
      )}
    </section>
  );
}
