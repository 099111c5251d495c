/**
 * Delay incentives: store rules such as "promised more than 14 days later than first promised →
 * 10% off", granted once per line and rule, for the store's platform to honour.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.ts';
import type { NewEvent } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { daysBetween } from '../../shared/dates.ts';
import { notFound } from '../../shared/errors.ts';
import { type LineDelivery, upgradeLineShipping } from '../shipping/shipping.usecases.ts';
import { findOrder } from '../stock/stock.lines.repository.ts';
import type { LineContext, MessageContext } from '../templates/templates.context.ts';
import { deliveryContext, type OrderFacts } from './messages.contexts.ts';
import type { Delay } from './messages.planner.ts';
import type { MessagingSettingsRow } from './messages.settings.ts';
import { type IncentiveKind, orderIncentives } from './messages.tables.ts';

export interface Granted {
  /** The best incentive the line has earned so far, as the message tells it. */
  incentive: NonNullable<MessageContext['incentive']> | null;
  /** The line's new shipping, when a `free_express` rule just upgraded it. */
  upgraded: LineDelivery | null;
}

/**
 * Grants every incentive rule the line's delay (from its first promised date) has passed, once
 * per (line, rule), announcing each with `order.incentive_granted`; a `free_express` rule also
 * upgrades the line's shipping method (see shipping). Returns the best incentive so far.
 */
export async function grantIncentives(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids'>,
  settings: MessagingSettingsRow,
  store: StoreScope,
  order: OrderFacts,
  line: LineContext,
  delay: Delay,
  granted: NewEvent[],
): Promise<Granted> {
  const { id: lineId, sku } = line;
  const delayDays = daysBetween(delay.firstEta, delay.eta);
  const earned = settings.delayIncentives.filter((rule) => delayDays > rule.afterDays);
  if (earned.length === 0) return { incentive: null, upgraded: null };
  const now = deps.clock.now();
  const inserted = await tx
    .insert(orderIncentives)
    .values(
      earned.map((rule) => ({
        id: deps.ids.next('inc'),
        storeId: settings.storeId,
        orderId: order.id,
        lineId,
        afterDays: rule.afterDays,
        kind: rule.kind,
        percent: rule.kind === 'percent_off' ? (rule.percent ?? null) : null,
        code: incentiveCode(),
        createdAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning();
  let upgraded: LineDelivery | null = null;
  for (const row of inserted) {
    if (row.kind === 'free_express') {
      const rule = earned.find((r) => r.afterDays === row.afterDays);
      upgraded =
        (await upgradeLineShipping(
          tx,
          deps,
          store,
          { id: lineId, orderId: order.id, sku, eta: line.eta, etaLatest: line.etaLatest },
          rule?.shippingMethod ?? null,
        )) ?? upgraded;
    }
    granted.push({
      storeId: settings.storeId,
      type: 'order.incentive_granted',
      data: {
        orderId: order.id,
        lineId,
        sku,
        incentiveId: row.id,
        kind: row.kind,
        percent: row.percent,
        code: row.code,
        afterDays: row.afterDays,
        delayDays,
      },
    });
  }
  const all = await tx.select().from(orderIncentives).where(eq(orderIncentives.lineId, lineId));
  const top = all.sort((x, y) => y.afterDays - x.afterDays)[0];
  if (!top) return { incentive: null, upgraded };
  const shipping = upgraded ? deliveryContext(upgraded) : line;
  return {
    incentive: {
      kind: top.kind,
      code: top.code,
      percent: top.percent,
      description: describeIncentive(top),
      shippingMethod: top.kind === 'free_express' ? shipping.shippingMethod : '',
      deliveryEta: top.kind === 'free_express' ? shipping.deliveryEta : null,
      deliveryEtaLatest: top.kind === 'free_express' ? shipping.deliveryEtaLatest : null,
    },
    upgraded,
  };
}

export function describeIncentive(rule: { kind: IncentiveKind; percent: number | null }): string {
  switch (rule.kind) {
    case 'free_shipping':
      return 'free shipping on this order';
    case 'free_express':
      return 'a free upgrade to express shipping';
    case 'percent_off':
      return `${rule.percent ?? 0}% off`;
  }
}

/** A code the store's platform can honour: unambiguous characters, 10 of them. */
function incentiveCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(10);
  let code = 'BF-';
  for (const byte of bytes) code += alphabet[byte % alphabet.length];
  return code;
}

export interface IncentiveView {
  id: string;
  lineId: string;
  kind: IncentiveKind;
  percent: number | null;
  code: string;
  afterDays: number;
  description: string;
  createdAt: string;
}

/** The incentives an order's lines have earned, oldest first (404 for another store's order). */
export async function listOrderIncentives(
  db: Executor,
  storeId: string,
  orderId: string,
): Promise<{ data: IncentiveView[] }> {
  if (!(await findOrder(db, storeId, orderId))) throw notFound('Order', orderId);
  const rows = await db
    .select()
    .from(orderIncentives)
    .where(and(eq(orderIncentives.storeId, storeId), eq(orderIncentives.orderId, orderId)))
    .orderBy(orderIncentives.createdAt, orderIncentives.afterDays);
  return {
    data: rows.map((r) => ({
      id: r.id,
      lineId: r.lineId,
      kind: r.kind,
      percent: r.percent,
      code: r.code,
      afterDays: r.afterDays,
      description: describeIncentive(r),
      createdAt: r.createdAt.toISOString(),
    })),
  };
}
