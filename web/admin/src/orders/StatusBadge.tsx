import { Badge } from '@mantine/core';
import type { Order, OrderLine } from '../api/types';

type Status = Order['status'] | OrderLine['status'];

const LOOK: Record<Status, { color: string; label: string }> = {
  backordered: { color: 'orange', label: 'Waiting' },
  allocated: { color: 'blue', label: 'Ready to ship' },
  partially_shipped: { color: 'teal', label: 'Partly shipped' },
  fulfilled: { color: 'green', label: 'Fulfilled' },
  shipped: { color: 'green', label: 'Shipped' },
  cancelled: { color: 'gray', label: 'Cancelled' },
};

export function StatusBadge({ status }: { status: Status }) {
  const look = LOOK[status] ?? { color: 'gray', label: status };
  return (
    <Badge color={look.color} variant="light" style={{ minWidth: 'max-content' }}>
      {look.label}
    </Badge>
  );
}
