import type { Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { type ShopperVariant, shopperVariants } from '../catalog/catalog.repository.ts';
import { baseContext, linksFor, type StoreContext } from '../messages/messages.contexts.ts';
import { storeContext, withContent } from '../messages/messages.planner.ts';
import { messageDefaults, type NewMessage } from '../messages/messages.relay.ts';
import type { MessagingSettingsRow } from '../messages/messages.settings.ts';
import { isTransactional, type MessageContext } from '../templates/templates.context.ts';
import type { AlertRow } from './alerts.repository.ts';

type MessageDeps = Pick<Deps, 'clock' | 'ids' | 'publicUrl'>;

/**
 * The `stock_alert` message of each released alert, on the alert's own channel. The dedupe key
 * names the alert, so an alert can never be told twice whatever happens to the batch.
 */
export async function alertMessages(
  tx: Tx,
  deps: MessageDeps,
  settings: MessagingSettingsRow,
  sku: string,
  alerts: readonly AlertRow[],
  now: Date,
): Promise<NewMessage[]> {
  const store = await storeContext(tx, deps, settings);
  const variant = (await shopperVariants(tx, settings.storeId, [sku])).get(sku)!;
  const drafts: NewMessage[] = [];
  for (const alert of alerts) drafts.push(await alertMessage(tx, deps, store, variant, alert, now));
  return drafts;
}

async function alertMessage(
  tx: Tx,
  deps: MessageDeps,
  store: StoreContext,
  variant: ShopperVariant,
  alert: AlertRow,
  now: Date,
): Promise<NewMessage> {
  const transactional = isTransactional('stock_alert');
  const links = linksFor(store, now, { contact: alert.contact, transactional });
  const context: MessageContext = {
    ...baseContext(store, undefined),
    customer: {
      name: '',
      email: alert.channel === 'email' ? alert.contact : '',
      phone: alert.channel === 'sms' ? alert.contact : '',
    },
    alert: { sku: variant.sku, title: variant.title },
    variant,
    links,
  };
  const row: NewMessage = {
    ...messageDefaults(deps, now),
    storeId: store.id,
    dedupeKey: `alert:${alert.id}:${alert.channel}:${alert.contact}`,
    kind: 'stock_alert',
    channel: alert.channel,
    recipient: alert.contact,
    transactional,
    payload: { unsubscribeUrl: links.unsubscribe },
  };
  return withContent(tx, row, context, store);
}
