/**
 * The order as the API answers it: the stock core's view, plus what shoppers are told about it —
 * its number, and each line's shipping method and delivery window (computed when read from the
 * line's promised dates, see shipping).
 */
import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { orderNumber } from '../../shared/ids.ts';
import { deliveriesOf, type LineDelivery, placedDeliveries } from '../shipping/shipping.usecases.ts';
import type { OrderLineView, OrderView } from '../stock/stock.views.ts';

export interface OrderLineResponse extends OrderLineView {
  shippingMethod: string | null;
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
}

export interface OrderResponse extends Omit<OrderView, 'lines'> {
  number: string;
  shippingMethod: string | null;
  lines: OrderLineResponse[];
}

function present(order: OrderView, deliveries: ReadonlyMap<string, LineDelivery>): OrderResponse {
  const lines = order.lines.map((line) => {
    const delivery = deliveries.get(line.id);
    return {
      ...line,
      shippingMethod: delivery?.method?.code ?? null,
      deliveryEta: delivery?.deliveryEta ?? null,
      deliveryEtaLatest: delivery?.deliveryEtaLatest ?? null,
    };
  });
  const named = order.lines.map((l) => deliveries.get(l.id)?.orderedMethod).find((m) => m != null);
  return { ...order, number: orderNumber(order), shippingMethod: named ?? null, lines };
}

/** Orders as read (GET, lists, cancellations). */
export async function withDeliveries(
  db: Executor,
  store: StoreScope,
  orders: readonly OrderView[],
  now: Date,
): Promise<OrderResponse[]> {
  const deliveries = await deliveriesOf(
    db,
    store,
    orders.flatMap((o) => o.lines),
    now,
  );
  return orders.map((order) => present(order, deliveries));
}

/** An order as placement answers it, its lines shipping by `named` (or the store's default). */
export async function placedOrderResponse(
  db: Executor,
  store: StoreScope,
  order: OrderView,
  named: string | null,
  now: Date,
): Promise<OrderResponse> {
  return present(order, await placedDeliveries(db, store, order.lines, named, now));
}
