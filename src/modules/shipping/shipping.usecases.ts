/**
 * The delivery window of each line: computed when read, from the line's promised ship dates (so
 * re-dating a queue moves its windows with it, and nothing about shipping is stored on the line
 * but its method); what product pages offer per method; and the `free_express` upgrade.
 */
import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { minuteIn, storeToday } from '../../shared/dates.ts';
import { deliveryWindow, expressUpgrade, offered, type StoreNow } from './shipping.models.ts';
import {
  cachedStoreShipping,
  loadShippingLines,
  loadStoreShipping,
  type StoreShipping,
} from './shipping.repository.ts';
import { methodView, type ShippingMethodView } from './shipping.settings.ts';
import { shippingLines } from './shipping.tables.ts';

const storeNow = (store: Pick<StoreScope, 'timezone'>, now: Date): StoreNow => ({
  today: storeToday(store, now),
  minute: minuteIn(store.timezone, now),
});

/** A line as far as its delivery goes: its promised ship dates while units are left to ship. */
export interface LineToDeliver {
  id: string;
  eta: string | null;
  etaLatest: string | null;
}

export interface LineDelivery {
  /** The method the line ships with (its order's, an upgrade, or the store's default); null = none. */
  method: ShippingMethodView | null;
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
  /** Set when a delay incentive upgraded the line to `method`. */
  upgradedFrom: string | null;
  /** The method its order named when placed (null: none; the line ships by the default). */
  orderedMethod: string | null;
}

function lineDelivery(
  shipping: StoreShipping,
  code: string | null,
  line: LineToDeliver,
  now: StoreNow,
  upgradedFrom: string | null,
): Omit<LineDelivery, 'orderedMethod'> {
  const method = code === null ? null : (shipping.methods.find((m) => m.code === code) ?? null);
  const window =
    method && line.eta !== null
      ? deliveryWindow(shipping.calendar, method, { eta: line.eta, etaLatest: line.etaLatest }, now)
      : null;
  return {
    method: method && methodView(method),
    deliveryEta: window?.deliveryEta ?? null,
    deliveryEtaLatest: window?.deliveryEtaLatest ?? null,
    upgradedFrom,
  };
}

/** Each line's method and delivery window (null dates once nothing is left to ship). */
export async function deliveriesOf(
  db: Executor,
  store: StoreScope,
  lines: readonly LineToDeliver[],
  now: Date,
): Promise<Map<string, LineDelivery>> {
  if (lines.length === 0) return new Map();
  const shipping = await loadStoreShipping(db, store.id);
  const chosen = await loadShippingLines(
    db,
    store.id,
    lines.map((l) => l.id),
  );
  const at = storeNow(store, now);
  return new Map(
    lines.map((line) => {
      const row = chosen.get(line.id);
      const delivery = lineDelivery(
        shipping,
        row?.method ?? shipping.defaultMethod,
        line,
        at,
        row?.upgradedAt ? row.upgradedFrom : null,
      );
      return [line.id, { ...delivery, orderedMethod: row?.orderedMethod ?? null }];
    }),
  );
}

/**
 * The windows of an order's lines as it is placed, when they ship by `named` (or the default):
 * read from a short-lived copy of the store's shipping, so a flash sale's orders add no query.
 */
export async function placedDeliveries(
  db: Executor,
  store: StoreScope,
  lines: readonly LineToDeliver[],
  named: string | null,
  now: Date,
): Promise<Map<string, LineDelivery>> {
  const shipping = await cachedStoreShipping(db, store.id);
  const at = storeNow(store, now);
  const code = named ?? shipping.defaultMethod;
  return new Map(
    lines.map((line) => [line.id, { ...lineDelivery(shipping, code, line, at, null), orderedMethod: named }]),
  );
}

export interface DeliveryOption {
  code: string;
  name: string;
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
}

export type { StoreShipping };

/**
 * The method the shopper chose for a line (before any upgrade), if the store still offers it: what
 * an order placed in the line's stead (a switch to another variant) should name.
 */
export async function chosenMethodOf(db: Executor, storeId: string, lineId: string): Promise<string | null> {
  const chosen = (await loadShippingLines(db, storeId, [lineId])).get(lineId)?.orderedMethod ?? null;
  if (chosen === null) return null;
  const shipping = await cachedStoreShipping(db, storeId);
  return offered(shipping.methods).some((m) => m.code === chosen) ? chosen : null;
}

/** The store's shipping as product pages read it (a per-process copy a few seconds old at most). */
export const storeShippingForPages = (db: Executor, storeId: string): Promise<StoreShipping> =>
  cachedStoreShipping(db, storeId);

/** What each offered method would deliver for units promised to ship `eta` (product pages). */
export function deliveryOptions(
  shipping: StoreShipping,
  store: Pick<StoreScope, 'timezone'>,
  promise: { eta: string; etaLatest: string | null } | null,
  now: Date,
): DeliveryOption[] {
  const at = storeNow(store, now);
  return offered(shipping.methods).map((method) => {
    const window = promise ? deliveryWindow(shipping.calendar, method, promise, at) : null;
    return {
      code: method.code,
      name: method.name,
      deliveryEta: window?.deliveryEta ?? null,
      deliveryEtaLatest: window?.deliveryEtaLatest ?? null,
    };
  });
}

/**
 * A `free_express` incentive: the line ships with the faster method from now on (the rule's, or
 * the fastest offered). Returns the line's new delivery, or null when no method is faster than
 * the one it has. Writes `order.line.shipping_upgraded` for the store's platform to ship it so.
 */
export async function upgradeLineShipping(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  line: LineToDeliver & { orderId: string; sku: string },
  named: string | null,
): Promise<LineDelivery | null> {
  const shipping = await loadStoreShipping(tx, store.id);
  const row = (await loadShippingLines(tx, store.id, [line.id])).get(line.id);
  const currentCode = row?.method ?? shipping.defaultMethod;
  const current = shipping.methods.find((m) => m.code === currentCode) ?? null;
  const target = expressUpgrade(shipping.methods, current, named);
  if (!target) return null;
  const now = deps.clock.now();
  await tx
    .insert(shippingLines)
    .values({
      lineId: line.id,
      storeId: store.id,
      orderId: line.orderId,
      method: target.code,
      upgradedFrom: current?.code ?? null,
      upgradedAt: now,
    })
    .onConflictDoUpdate({
      target: [shippingLines.lineId, shippingLines.storeId],
      set: { method: target.code, upgradedFrom: current?.code ?? null, upgradedAt: now },
    });
  const delivery = {
    ...lineDelivery(shipping, target.code, line, storeNow(store, now), current?.code ?? null),
    orderedMethod: row?.orderedMethod ?? null,
  };
  await appendEvents(tx, deps, [
    {
      storeId: store.id,
      type: 'order.line.shipping_upgraded',
      data: {
        orderId: line.orderId,
        lineId: line.id,
        sku: line.sku,
        from: current?.code ?? null,
        to: target.code,
        deliveryEta: delivery.deliveryEta,
        deliveryEtaLatest: delivery.deliveryEtaLatest,
      },
    },
  ]);
  return delivery;
}
