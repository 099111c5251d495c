/**
 * A store's shipping methods and calendar, and the delivery window of each line: computed when
 * read, from the line's promised ship dates (so re-dating a queue moves its windows with it, and
 * nothing about shipping is stored on the line but its method).
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import {
  formatClockTime,
  MONDAY_TO_FRIDAY,
  minuteIn,
  parseClockTime,
  requireCalendarDate,
  storeToday,
  type Weekday,
} from '../../shared/dates.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { defaultShippingMethod, tooManyShippingMethods, unknownShippingMethod } from './shipping.errors.ts';
import {
  deliveryWindow,
  expressUpgrade,
  offered,
  type ShippingMethod,
  type StoreNow,
} from './shipping.models.ts';
import { loadShippingLines, loadStoreShipping, type StoreShipping } from './shipping.repository.ts';
import { shippingLines, shippingMethods, shippingSettings } from './shipping.tables.ts';

const MAX_METHODS = 20;

/**
 * Product pages and order placements read the store's shipping on every request: they use a copy
 * at most this old (a change shows in this process at once, in others within this time).
 */
const CACHE_MS = 2000;
const CACHE_STORES = 10_000;
const cache = new Map<string, { until: number; shipping: Promise<StoreShipping> }>();

function cachedStoreShipping(db: Executor, storeId: string): Promise<StoreShipping> {
  const now = Date.now();
  const hit = cache.get(storeId);
  if (hit && hit.until > now) return hit.shipping;
  if (cache.size >= CACHE_STORES) cache.clear();
  const shipping = loadStoreShipping(db, storeId);
  cache.set(storeId, { until: now + CACHE_MS, shipping });
  shipping.catch(() => cache.delete(storeId));
  return shipping;
}

/**
 * Forgets the cached copy. Every change calls it in its transaction, and its route again once it
 * committed (a read in between may have cached the state before the change).
 */
export const forgetStoreShipping = (storeId: string): void => {
  cache.delete(storeId);
};

export interface ShippingMethodView {
  code: string;
  name: string;
  transitDaysMin: number;
  transitDaysMax: number;
  cutoffTime: string | null;
}

export interface ShippingSettingsView {
  workingDays: Weekday[];
  closedDates: string[];
  defaultMethod: string | null;
  methods: ShippingMethodView[];
}

const methodView = (m: ShippingMethod): ShippingMethodView => ({
  code: m.code,
  name: m.name,
  transitDaysMin: m.transitDaysMin,
  transitDaysMax: m.transitDaysMax,
  cutoffTime: m.cutoffMinute === null ? null : formatClockTime(m.cutoffMinute),
});

const settingsView = (shipping: StoreShipping): ShippingSettingsView => ({
  workingDays: [...shipping.calendar.workingDays],
  closedDates: [...shipping.calendar.closedDates],
  defaultMethod: shipping.defaultMethod,
  methods: offered(shipping.methods).map(methodView),
});

export async function getShippingSettings(db: Executor, storeId: string): Promise<ShippingSettingsView> {
  return settingsView(await loadStoreShipping(db, storeId));
}

/** The store's settings row, created with the defaults and locked: shipping changes take turns on it. */
async function lockSettings(tx: Executor, deps: Pick<Deps, 'clock'>, storeId: string): Promise<void> {
  await tx
    .insert(shippingSettings)
    .values({ storeId, workingDays: [...MONDAY_TO_FRIDAY.workingDays], updatedAt: deps.clock.now() })
    .onConflictDoNothing();
  await tx
    .select({ storeId: shippingSettings.storeId })
    .from(shippingSettings)
    .where(eq(shippingSettings.storeId, storeId))
    .for('update');
}

async function recordChange(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
): Promise<ShippingSettingsView> {
  forgetStoreShipping(storeId);
  const settings = await getShippingSettings(tx, storeId);
  await appendEvents(tx, deps, [{ storeId, type: 'shipping.updated', data: { shipping: settings } }]);
  return settings;
}

export interface ShippingSettingsInput {
  workingDays?: Weekday[];
  closedDates?: string[];
  defaultMethod?: string | null;
}

export async function updateShippingSettings(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  input: ShippingSettingsInput,
): Promise<ShippingSettingsView> {
  await lockSettings(tx, deps, storeId);
  for (const [i, day] of (input.closedDates ?? []).entries()) requireCalendarDate(day, `/closedDates/${i}`);
  if (input.defaultMethod != null)
    await requireOfferedMethod(tx, storeId, input.defaultMethod, '/defaultMethod');
  await tx
    .update(shippingSettings)
    .set({
      ...(input.workingDays ? { workingDays: [...new Set(input.workingDays)] } : {}),
      ...(input.closedDates ? { closedDates: [...new Set(input.closedDates)].sort() } : {}),
      ...(input.defaultMethod !== undefined ? { defaultMethod: input.defaultMethod } : {}),
      updatedAt: deps.clock.now(),
    })
    .where(eq(shippingSettings.storeId, storeId));
  return recordChange(tx, deps, storeId);
}

export interface ShippingMethodInput {
  name: string;
  transitDaysMin: number;
  transitDaysMax: number;
  cutoffTime?: string | null;
}

/** Creates or replaces a method; a retired one with the same code is offered again. */
export async function putShippingMethod(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  code: string,
  input: ShippingMethodInput,
): Promise<{ method: ShippingMethodView; created: boolean }> {
  if (input.transitDaysMax < input.transitDaysMin) {
    throw invalid('validation_failed', 'transitDaysMax cannot be less than transitDaysMin', [
      { path: '/transitDaysMax', message: `must be at least ${input.transitDaysMin}` },
    ]);
  }
  const cutoffMinute = input.cutoffTime == null ? null : parseClockTime(input.cutoffTime);
  if (input.cutoffTime != null && cutoffMinute === null) {
    throw invalid('validation_failed', 'cutoffTime is a time of day, HH:MM', [
      { path: '/cutoffTime', message: 'use HH:MM (store time)' },
    ]);
  }
  await lockSettings(tx, deps, storeId);
  const shipping = await loadStoreShipping(tx, storeId);
  const existing = shipping.methods.find((m) => m.code === code);
  if (!existing && offered(shipping.methods).length >= MAX_METHODS) throw tooManyShippingMethods(MAX_METHODS);
  const now = deps.clock.now();
  const values = {
    name: input.name,
    transitDaysMin: input.transitDaysMin,
    transitDaysMax: input.transitDaysMax,
    cutoffMinute,
    retired: false,
    updatedAt: now,
  };
  const position = Math.max(0, ...shipping.methods.map((m) => m.position)) + 1;
  await tx
    .insert(shippingMethods)
    .values({ storeId, code, ...values, position, createdAt: now })
    .onConflictDoUpdate({ target: [shippingMethods.storeId, shippingMethods.code], set: values });
  await recordChange(tx, deps, storeId);
  return {
    method: methodView({ code, ...values, position: existing?.position ?? position }),
    created: !existing || existing.retired,
  };
}

export async function getShippingMethod(
  db: Executor,
  storeId: string,
  code: string,
): Promise<ShippingMethodView> {
  const method = offered((await loadStoreShipping(db, storeId)).methods).find((m) => m.code === code);
  if (!method) throw notFound('Shipping method', code);
  return methodView(method);
}

/**
 * Takes a method out of offer: new orders and product pages no longer see it, while lines that
 * ship with it keep it and their window. The default method cannot go (choose another first).
 */
export async function retireShippingMethod(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  code: string,
): Promise<void> {
  await lockSettings(tx, deps, storeId);
  const shipping = await loadStoreShipping(tx, storeId);
  if (!offered(shipping.methods).some((m) => m.code === code)) throw notFound('Shipping method', code);
  if (shipping.defaultMethod === code) throw defaultShippingMethod(code);
  await tx
    .update(shippingMethods)
    .set({ retired: true, updatedAt: deps.clock.now() })
    .where(and(eq(shippingMethods.storeId, storeId), eq(shippingMethods.code, code)));
  await recordChange(tx, deps, storeId);
}

/**
 * 422 unless `code` is a method the store offers (orders, the default, incentive rules name one).
 * Orders check against the short-lived copy (`cached`): a flash sale naming a method adds no query.
 */
export async function requireOfferedMethod(
  db: Executor,
  storeId: string,
  code: string,
  path: string,
  options: { cached?: boolean } = {},
): Promise<void> {
  const shipping = options.cached
    ? await cachedStoreShipping(db, storeId)
    : await loadStoreShipping(db, storeId);
  const methods = offered(shipping.methods);
  if (!methods.some((m) => m.code === code)) {
    throw unknownShippingMethod(
      code,
      methods.map((m) => m.code),
      path,
    );
  }
}

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

/** What each offered method would deliver for units promised to ship `eta` (product pages). */
export async function deliveryOptions(
  db: Executor,
  store: StoreScope,
  promise: { eta: string; etaLatest: string | null } | null,
  now: Date,
): Promise<DeliveryOption[]> {
  const shipping = await cachedStoreShipping(db, store.id);
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
