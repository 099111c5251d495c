/**
 * Delay incentives: store rules such as "promised more than 14 days later than first promised →
 * 10% off", granted once per line and rule, for the store's platform to honour.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.ts';
import type { NewEvent } from '../../db/outbox.ts';
import type { Deps } from '../../shared/context.ts';
import { daysBetween } from '../../shared/dates.ts';
import { notFound } from '../../shared/errors.ts';
import { findOrder } from '../stock/stock.lines.repository.ts';
import type { MessageContext } from '../templates/templates.context.ts';
import type { OrderFacts } from './messages.contexts.ts';
import type { Delay } from './messages.planner.ts';
import type { MessagingSettingsRow } from './messages.settings.ts';
import { type DelayIncentiveRule, orderIncentives } from './messages.tables.ts';

/**
 * Grants every incentive rule the line's delay (from its first promised date) has passed, once
 * per (line, rule), announcing each with `order.incentive_granted`; returns the best one so far.
 */
export async function grantIncentives(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids'>,
  settings: MessagingSettingsRow,
  order: OrderFacts,
  lineId: string,
  sku: string,
  delay: Delay,
  granted: NewEvent[],
): Promise<MessageContext['incentive'] | null> {
  const delayDays = daysBetween(delay.firstEta, delay.eta);
  const earned = settings.delayIncentives.filter((rule) => delayDays > rule.afterDays);
  if (earned.length === 0) return null;
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
  for (const row of inserted) {
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
  if (!top) return null;
  return {
    kind: top.kind,
    code: top.code,
    percent: top.percent,
    description: describeIncentive(top),
  };
}

export function describeIncentive(rule: {
  kind: DelayIncentiveRule['kind'];
  percent: number | null;
}): string {
  return rule.kind === 'free_shipping' ? 'free shipping on this order' : `${rule.percent ?? 0}% off`;
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
  kind: 'free_shipping' | 'percent_off';
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
