/**
 * Shipping's part in stock commands (registered in src/assembly.ts): an order that names a
 * shipping method (`shippingMethod`, checked by the orders route before placement) has it written
 * per line in the placement's own round trip. Orders that name none add nothing.
 */
import type { StockHook } from '../stock/stock.hooks.ts';
import { insertShippingLines } from './shipping.repository.ts';

export const shippingStockHook: StockHook = {
  name: 'shipping',
  placed(orders) {
    return insertShippingLines(
      orders.flatMap((order) => {
        const method = order.input.shippingMethod;
        if (typeof method !== 'string') return [];
        return order.lines.map((line) => ({
          lineId: line.lineId,
          storeId: order.storeId,
          orderId: order.orderId,
          method,
        }));
      }),
    );
  },
};
