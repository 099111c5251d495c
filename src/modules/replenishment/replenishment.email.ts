/** A purchase order emailed to its supplier through the store's messaging, with the order as CSV. */
import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { csvRow } from '../../shared/csv.ts';
import { channelsSetUp } from '../messages/messages.models.ts';
import { insertMessages, messageDefaults } from '../messages/messages.relay.ts';
import { loadMessagingSettings } from '../messages/messages.settings.ts';
import type { PurchaseOrderView } from '../supply/supply.views.ts';

export const PURCHASE_ORDER_COLUMNS = ['sku', 'title', 'quantity', 'unitCost', 'lineTotal'] as const;

/** The purchase order as CSV: one row per line (money in minor units). */
export function purchaseOrderCsv(po: PurchaseOrderView, titles: ReadonlyMap<string, string>): string {
  return (
    csvRow(PURCHASE_ORDER_COLUMNS) +
    po.lines
      .map((l) => csvRow([l.sku, titles.get(l.sku) ?? '', l.quantity, l.unitCost, l.quantity * l.unitCost]))
      .join('')
  );
}

/**
 * Queues the email to the supplier (sent by the message worker, logged like every message). Null
 * when the supplier has no email address or the store no email channel: the merchant sends it.
 */
export async function queuePurchaseOrderEmail(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  supplier: { email: string | null; name: string },
  po: PurchaseOrderView,
  titles: ReadonlyMap<string, string>,
): Promise<string | null> {
  if (!supplier.email) return null;
  const settings = await loadMessagingSettings(tx, deps, storeId);
  if (!channelsSetUp(settings).email) return null;
  const [store] = await queryRows<{ name: string; currency: string }>(
    tx,
    sql`SELECT name, currency FROM stores WHERE id = ${storeId}`,
  );
  const reference = po.reference ?? po.id;
  const units = po.lines.reduce((n, l) => n + l.quantity, 0);
  const body = [
    `Hello ${supplier.name},`,
    '',
    `${store?.name ?? 'We'} would like to order ${units} units (${po.lines.length} lines), expected by ${po.expectedDate}.`,
    `Purchase order ${reference}: the attached CSV lists each SKU, quantity and unit cost (in ${store?.currency ?? ''} minor units).`,
    '',
    ...po.lines.map((l) => `- ${l.sku} × ${l.quantity}`),
  ].join('\n');
  const message = { ...messageDefaults(deps, deps.clock.now()) };
  const created = await insertMessages(tx, [
    {
      ...message,
      storeId,
      dedupeKey: `purchase_order:${po.id}`,
      kind: 'purchase_order',
      channel: 'email',
      recipient: supplier.email,
      transactional: true,
      subject: `Purchase order ${reference} from ${store?.name ?? 'Backfill'}`,
      body,
      payload: {
        purchaseOrderId: po.id,
        attachments: [
          { filename: `${reference}.csv`, contentType: 'text/csv', content: purchaseOrderCsv(po, titles) },
        ],
      },
    },
  ]);
  return created.length > 0 ? message.id : null;
}
