/** An order's timeline entry in the merchant's words (events by type; messages by kind). */
import { formatDay, formatMoney } from '../shared/format';
import type { TimelineEntry } from './api';

type Data = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const units = (n: number): string => `${n} unit${n === 1 ? '' : 's'}`;

const MESSAGE_KINDS: Record<string, string> = {
  order_confirmation: 'Order confirmation',
  status_update: 'Status update',
  delay_notice: 'Delay notice',
  ready_to_ship: 'Ready to ship',
  shipped: 'Shipped notice',
  cancelled: 'Cancellation notice',
  refunded: 'Refund notice',
  payment_needed: 'Payment needed',
  webhook: 'Webhook',
};

export const messageKindWords = (kind: string): string => MESSAGE_KINDS[kind] ?? kind.replace(/_/g, ' ');

function linesWords(lines: unknown): string {
  if (!Array.isArray(lines)) return '';
  return lines.map((l: Data) => `${num(l.quantity)} × ${str(l.sku)}`).join(', ');
}

/** A one-line headline and optional detail for an event. */
export function eventWords(entry: TimelineEntry, currency: string): { title: string; detail?: string } {
  const d = (entry.data ?? {}) as Data;
  const money = (v: unknown) => formatMoney(num(v), str(d.currency) || currency);
  switch (entry.type) {
    case 'order.placed': {
      const order = (d.order ?? {}) as Data;
      return { title: 'Order placed', detail: linesWords(order.lines) };
    }
    case 'order.line.allocated':
      return {
        title: `${units(num(d.quantity))} of ${str(d.sku)} ready to ship`,
        detail: d.source === 'queue' ? 'Filled from the queue when stock arrived' : 'From stock',
      };
    case 'order.line.backordered':
      return {
        title: `${units(num(d.quantity))} of ${str(d.sku)} waiting`,
        detail: [
          d.queuePosition ? `#${num(d.queuePosition)} in queue` : '',
          d.eta ? `ships by ${formatDay(str(d.eta))}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      };
    case 'backorder.eta_changed':
      return {
        title: `${str(d.sku)}: date moved to ${formatDay(str(d.eta))}`,
        detail: d.previousEta ? `Was ${formatDay(str(d.previousEta))}` : undefined,
      };
    case 'shipment.created': {
      const shipment = (d.shipment ?? {}) as Data;
      const tracking = [str(shipment.carrier), str(shipment.trackingNumber)].filter(Boolean).join(' ');
      return {
        title: `Shipped ${linesWords(shipment.lines)}`,
        detail: tracking ? `Tracking: ${tracking}` : undefined,
      };
    }
    case 'order.cancelled':
      return {
        title: `Cancelled ${linesWords(d.lines)}`,
        detail: d.reason ? `Reason: ${str(d.reason)}` : undefined,
      };
    case 'order.line.requeued':
      return { title: `${str(d.sku)} back in the queue`, detail: str(d.reason) || undefined };
    case 'payment.captured':
      return { title: `Payment of ${money(d.amount)} taken`, detail: str(d.sku) || undefined };
    case 'payment.authorised':
      return { title: `${money(d.amount)} authorised on the card`, detail: str(d.sku) || undefined };
    case 'payment.refunded':
      return {
        title: `Refunded ${money(d.amount)}`,
        detail: [str(d.sku), str(d.reason)].filter(Boolean).join(' · ') || undefined,
      };
    case 'payment.refund_failed':
      return { title: `Refund of ${money(d.amount)} failed`, detail: str(d.reason) || undefined };
    case 'payment.action_required':
      return { title: `The shopper must pay ${money(d.amount)}`, detail: str(d.message) || undefined };
    case 'payment.failed':
      return { title: 'Payment failed: unpaid units cancelled', detail: str(d.sku) || undefined };
    case 'payment.authorisation_expired':
      return { title: 'A card authorisation expired', detail: str(d.sku) || undefined };
    case 'order.incentive_granted':
      return { title: `Delay incentive granted: ${str(d.kind).replace(/_/g, ' ')}`, detail: str(d.code) };
    case 'backorder.kept':
      return { title: `The shopper chose to keep waiting for ${str(d.sku)}` };
    case 'order.line.switched':
      return { title: `The shopper switched ${str(d.sku)} to ${str(d.newSku)}` };
    case 'order.line.shipping_upgraded':
      return { title: `${str(d.sku)} upgraded to faster shipping` };
    default:
      return { title: entry.type };
  }
}
