/**
 * A store's shipping methods, working days and default method: the commands that change them and
 * their views. Every change locks the store's settings row, writes `shipping.updated`, and forgets
 * the cached copy product pages and placements read (see shipping.repository.ts).
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps } from '../../shared/context.ts';
import {
  formatClockTime,
  MONDAY_TO_FRIDAY,
  parseClockTime,
  requireCalendarDate,
  type Weekday,
} from '../../shared/dates.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { defaultShippingMethod, tooManyShippingMethods, unknownShippingMethod } from './shipping.errors.ts';
import { offered, type ShippingMethod } from './shipping.models.ts';
import {
  cachedStoreShipping,
  forgetStoreShipping,
  loadStoreShipping,
  type StoreShipping,
} from './shipping.repository.ts';
import { shippingMethods, shippingSettings } from './shipping.tables.ts';

const MAX_METHODS = 20;

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

export const methodView = (m: ShippingMethod): ShippingMethodView => ({
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
