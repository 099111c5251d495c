/**
 * An order's status is stated twice — `orderStatus` for orders built in the application and
 * `orderStatusSql` for the set-wise refresh after fills, releases and shipments — and both must
 * say what the API documents: `backordered` while any unit waits, else `allocated` while any unit
 * is allocated, else `fulfilled` when every unit shipped, `cancelled` when every unit was
 * cancelled, `partially_shipped` when it ended with both. Checked on both engines.
 */
import { type SQL, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { orderStatus } from '../src/modules/stock/stock.lines.models.ts';
import { orderStatusSql } from '../src/modules/stock/stock.lines.repository.ts';
import { startTestApp, type TestApp } from './support/harness.ts';
import { propertyOptions } from './support/property.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface Line {
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
}

/** The documented rule, unit by unit. */
function documented(lines: readonly Line[]): string {
  const units = lines.flatMap((l) => [
    ...Array<string>(l.allocated).fill('allocated'),
    ...Array<string>(l.backordered).fill('waiting'),
    ...Array<string>(l.shipped).fill('shipped'),
    ...Array<string>(l.cancelled).fill('cancelled'),
  ]);
  if (units.includes('waiting')) return 'backordered';
  if (units.includes('allocated')) return 'allocated';
  if (units.every((u) => u === 'shipped')) return 'fulfilled';
  if (units.every((u) => u === 'cancelled')) return 'cancelled';
  return 'partially_shipped';
}

const line = fc
  .record({ allocated: fc.nat(3), backordered: fc.nat(3), shipped: fc.nat(3), cancelled: fc.nat(3) })
  .map((q) => ({ ...q, quantity: q.allocated + q.backordered + q.shipped + q.cancelled }))
  .filter((l) => l.quantity > 0);

describe('order status', () => {
  it('is the documented rule, in the application and in SQL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), async (lines) => {
        const column = (name: keyof Line): SQL => sql`unnest(${sql.param(lines.map((l) => l[name]))}::int[])`;
        const [row] = await queryRows<{ status: string }>(
          t.app.deps.db,
          sql`SELECT ${orderStatusSql({ a: sql`sum(a)`, b: sql`sum(b)`, s: sql`sum(s)`, c: sql`sum(c)` })} AS status
                FROM (SELECT ${column('allocated')} AS a, ${column('backordered')} AS b,
                             ${column('shipped')} AS s, ${column('cancelled')} AS c) AS l`,
        );
        expect(orderStatus(lines)).toBe(documented(lines));
        expect(row?.status).toBe(documented(lines));
      }),
      propertyOptions(),
    );
  });
});
