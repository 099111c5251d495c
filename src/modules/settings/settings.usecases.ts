import { eq, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { refreshSupply } from '../promises/promises.usecases.ts';
import { lockLevels } from '../stock/stock.levels.repository.ts';
import { requireOrigins } from '../storefront/storefront.models.ts';
import { type PaymentMode, type StoreProvider, stores } from '../stores/stores.tables.ts';

/** Store-wide settings a merchant may change with the store's secret key. */
export interface StoreSettings {
  /** Days between units reaching the warehouse and shipping; added to every promise date. */
  handlingDays: number;
  /** Lead time for SKUs with no supplier of their own. */
  defaultLeadTimeDays: number;
  /** Units an automatic backorder cap allows beyond the open purchase-order units. */
  autoLimitBuffer: number;
  /** Who takes the money: `none` (Backfill does not manage payments), `manual` or `stripe`. */
  paymentProvider: StoreProvider;
  /** How variants that set none are paid. */
  paymentMode: PaymentMode;
  depositPercent: number;
  /** Days ready units wait for a failed payment before going to the next in line. */
  paymentGraceDays: number;
  /** Waits up to this many days are held by an authorisation; longer ones save the method. */
  authorisationDays: number;
  /** Web origins whose pages may call the storefront endpoints from the browser (CORS). */
  allowedOrigins: string[];
}

const PROMISE_SETTINGS = ['handlingDays', 'defaultLeadTimeDays', 'autoLimitBuffer'] as const;

export interface SettingsView extends StoreSettings {
  storeId: string;
  name: string;
  currency: string;
  timezone: string;
}

export async function getSettings(db: Executor, storeId: string): Promise<SettingsView> {
  const [row] = await db.select().from(stores).where(eq(stores.id, storeId));
  if (!row) throw new Error(`store ${storeId} vanished`);
  return {
    storeId: row.id,
    name: row.name,
    currency: row.currency,
    timezone: row.timezone,
    handlingDays: row.handlingDays,
    defaultLeadTimeDays: row.defaultLeadTimeDays,
    autoLimitBuffer: row.autoLimitBuffer,
    paymentProvider: row.paymentProvider,
    paymentMode: row.paymentMode,
    depositPercent: Number(row.depositPercent),
    paymentGraceDays: row.paymentGraceDays,
    authorisationDays: row.authorisationDays,
    allowedOrigins: row.allowedOrigins,
  };
}

/**
 * Changes settings. The promise settings feed the dates (or the automatic cap) of every SKU, so
 * then all the store's stock rows are locked and refreshed in the same transaction. Payment
 * settings apply to orders placed from then on (each line keeps the terms it was sold on).
 */
export async function updateSettings(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  input: Partial<StoreSettings>,
): Promise<SettingsView> {
  if (input.allowedOrigins !== undefined) {
    input = { ...input, allowedOrigins: requireOrigins(input.allowedOrigins, '/allowedOrigins') };
  }
  const promises = PROMISE_SETTINGS.some((name) => input[name] !== undefined);
  const skus = promises
    ? await queryRows<{ sku: string }>(tx, sql`SELECT sku FROM inventory_levels WHERE store_id = ${store.id}`)
    : [];
  const levels = await lockLevels(
    tx,
    skus.map((s) => ({ storeId: store.id, sku: s.sku })),
  );
  const { depositPercent, ...rest } = input;
  await tx
    .update(stores)
    .set({ ...rest, ...(depositPercent !== undefined ? { depositPercent: String(depositPercent) } : {}) })
    .where(eq(stores.id, store.id));
  if (promises) await refreshSupply(tx, deps, store, [...levels.values()]);
  const settings = await getSettings(tx, store.id);
  await appendEvents(tx, deps, [{ storeId: store.id, type: 'settings.updated', data: { settings } }]);
  return settings;
}
