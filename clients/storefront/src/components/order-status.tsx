import type { OrderStatus } from '@ecom/schema/generated/operations';

const LABELS: Record<OrderStatus, string> = {
  PENDING_PAYMENT: 'Awaiting payment',
  PAID: 'Paid',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired (not paid in time)',
};

export function OrderStatusLabel({ status }: { status: OrderStatus }) {
  return (
    <span className={`status status-${status.toLowerCase()}`} data-testid="order-status" data-status={status}>
      {LABELS[status]}
    </span>
  );
}
