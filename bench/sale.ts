/**
 * A flash sale on one SKU, as two scenarios run it (hot-sku alone, storefront beside product-page
 * reads): each order's answer is recorded, then the outcome is checked through the API — exactly
 * S orders allocated from stock and L waiting, every other answer 409 insufficient_stock, queue
 * positions 1..L in acceptance order, no order lost or doubled.
 */
import { type Client, expectStatus, type Reply } from './server.ts';

export interface AcceptedOrder {
  index: number;
  id: string;
  allocated: number;
  waiting: number;
  position: number | null;
}

/** What the orders of a sale were answered. */
export class SaleRecord {
  readonly accepted: AcceptedOrder[] = [];
  /** Answers that were neither 201 nor 409 insufficient_stock, by status and code. */
  readonly others = new Map<string, number>();
  created = 0;
  refused = 0;
  failed = 0;

  /** Records the answer to order `index` (status 0: a network error). */
  record(index: number, reply: Reply): void {
    if (reply.status === 201) {
      this.created++;
      const line = reply.body?.lines?.[0];
      this.accepted.push({
        index,
        id: reply.body?.id,
        allocated: line?.allocatedQuantity ?? -1,
        waiting: line?.backorderedQuantity ?? -1,
        position: line?.queuePosition ?? null,
      });
    } else if (reply.status === 409 && reply.body?.code === 'insufficient_stock') {
      this.refused++;
    } else {
      if (reply.status >= 500 || reply.status === 0) this.failed++;
      const k = `${reply.status} ${reply.body?.code ?? JSON.stringify(reply.body).slice(0, 120)}`;
      this.others.set(k, (this.others.get(k) ?? 0) + 1);
    }
  }
}

/** A quantity-1 order of `sku` by shopper `index`. */
export const saleOrder = (sku: string, index: number) => ({
  customer: { email: `shopper${index}@example.com` },
  lines: [{ sku, quantity: 1 }],
});

/** Checks the sale's outcome through the API; every discrepancy is passed to `violate`. */
export async function verifySale(
  client: Client,
  key: string,
  sku: string,
  expected: { stock: number; limit: number },
  sale: SaleRecord,
  violate: (message: string) => void,
): Promise<void> {
  const { stock, limit } = expected;
  for (const [k, n] of sale.others)
    violate(`${n} responses were neither 201 nor 409 insufficient_stock: ${k}`);
  if (sale.failed > 0) violate(`${sale.failed} responses were 5xx or network errors`);
  const allocatedOrders = sale.accepted.filter((a) => a.allocated === 1 && a.waiting === 0);
  const waitingOrders = sale.accepted.filter((a) => a.allocated === 0 && a.waiting === 1);
  const oddOrders = sale.accepted.length - allocatedOrders.length - waitingOrders.length;
  if (oddOrders > 0) violate(`${oddOrders} accepted orders were neither fully allocated nor fully waiting`);
  if (allocatedOrders.length !== stock)
    violate(`${allocatedOrders.length} orders were allocated from stock, expected ${stock}`);
  if (waitingOrders.length !== limit)
    violate(`${waitingOrders.length} orders are waiting, expected ${limit}`);
  if (sale.created !== stock + waitingOrders.length)
    violate(`${sale.created} orders accepted, expected stock + waiting = ${stock + waitingOrders.length}`);

  const level = expectStatus(await client.request('GET', `/v1/inventory/${sku}`, key), 200, 'get level').body;
  if (level.onHand !== stock || level.allocated !== stock)
    violate(`level onHand/allocated = ${level.onHand}/${level.allocated}, expected ${stock}/${stock}`);
  if (level.backordered !== limit) violate(`level backordered = ${level.backordered}, expected ${limit}`);
  if (level.backorderRemaining !== 0)
    violate(`level backorderRemaining = ${level.backorderRemaining}, expected 0`);

  // The queue: positions 1..L, contiguous, in acceptance order (the positions the 201s announced).
  const byPosition = new Map<number, string>();
  for (const w of waitingOrders) {
    if (w.position === null) violate(`waiting order ${w.id} has no queue position`);
    else if (byPosition.has(w.position)) violate(`queue position ${w.position} was announced to two orders`);
    else byPosition.set(w.position, w.id);
  }
  const queue: { orderId: string; position: number; quantity: number; placedAt: string }[] = [];
  let cursor: string | null = null;
  do {
    const qs: string = `sku=${sku}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const page = expectStatus(
      await client.request('GET', `/v1/backorders?${qs}`, key),
      200,
      'list backorders',
    ).body;
    queue.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  if (queue.length !== limit) violate(`the queue lists ${queue.length} lines, expected ${limit}`);
  let badPositions = 0;
  let badOrder = 0;
  let badPlacedAt = 0;
  for (const [i, entry] of queue.entries()) {
    if (entry.position !== i + 1 || entry.quantity !== 1) badPositions++;
    if (byPosition.get(i + 1) !== entry.orderId) badOrder++;
    if (i > 0 && entry.placedAt < queue[i - 1]!.placedAt) badPlacedAt++;
  }
  if (badPositions > 0) violate(`${badPositions} queue entries are not at positions 1..L with quantity 1`);
  if (badOrder > 0) violate(`${badOrder} queue entries differ from the order the 201s announced`);
  if (badPlacedAt > 0) violate(`${badPlacedAt} queue entries were placed before the entry ahead of them`);

  // Nothing lost or duplicated: the order list holds exactly the accepted orders.
  const listed = new Set<string>();
  let listedRows = 0;
  cursor = null;
  do {
    const qs: string = `limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const page = expectStatus(await client.request('GET', `/v1/orders?${qs}`, key), 200, 'list orders').body;
    for (const o of page.data) listed.add(o.id);
    listedRows += page.data.length;
    cursor = page.nextCursor;
  } while (cursor);
  if (listedRows !== sale.created)
    violate(`GET /v1/orders lists ${listedRows} orders, ${sale.created} were accepted`);
  if (listed.size !== listedRows) violate(`GET /v1/orders lists ${listedRows - listed.size} duplicates`);
  const missing = sale.accepted.filter((a) => !listed.has(a.id)).length;
  if (missing > 0) violate(`${missing} accepted orders are missing from GET /v1/orders`);
}
