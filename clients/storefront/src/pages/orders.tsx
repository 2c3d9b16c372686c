import { MyOrdersDocument, type MyOrdersQuery } from '@ecom/schema/generated/operations';
import { useEffect, useState } from 'react';
import { Notice, type NoticeState } from '../components/notice.tsx';
import { OrderStatusLabel } from '../components/order-status.tsx';
import { SignIn } from '../components/sign-in.tsx';
import { faultMessage } from '../errors.ts';
import { execute } from '../graphql/client.ts';
import { formatMoney } from '../money.ts';
import { href } from '../router.ts';
import { useSession } from '../use-session.ts';

export function OrdersPage() {
  const signedIn = useSession();
  const [orders, setOrders] = useState<MyOrdersQuery['myOrders']>();
  const [notice, setNotice] = useState<NoticeState>();
  useEffect(() => {
    if (!signedIn) return;
    void execute(MyOrdersDocument, { first: 20 }).then((answer) =>
      answer.kind === 'failed'
        ? setNotice({ tone: 'error', text: faultMessage(answer.errors), requestId: answer.requestId })
        : setOrders(answer.data.myOrders),
    );
  }, [signedIn]);
  if (!signedIn) {
    return (
      <section>
        <h1>My orders</h1>
        <SignIn />
      </section>
    );
  }
  return (
    <section>
      <h1>My orders</h1>
      <Notice notice={notice} />
      {orders && orders.edges.length === 0 && <p>No orders yet.</p>}
      <ul className="orders">
        {orders?.edges.map(({ node }) => (
          <li key={node.id} data-testid="order-row">
            <a href={href({ page: 'order', id: node.id })}>Order {node.id.slice(0, 8)}</a> · <OrderStatusLabel status={node.status} />
            {node.cost && <> · {formatMoney(node.cost.total)}</>} · {node.lines.reduce((n, l) => n + l.quantity, 0)} items
          </li>
        ))}
      </ul>
    </section>
  );
}
