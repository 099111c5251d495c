/**
 * The overview's figures: GET /v1/overview when the server has it; otherwise worked out from the
 * lists the API already has (the first 1,000 waiting lines, the ordered purchase orders), with
 * the figures those cannot give left empty.
 */

import { listBackorders } from '../api/backorders';
import { api, data } from '../api/client';
import { fetchOverviewEndpoint, type OverviewFigures } from '../api/pending';
import type { Backorder, BackorderPage } from '../api/types';
import { today } from '../shared/format';

const FALLBACK_PAGES = 5;

export interface Overview extends OverviewFigures {
  /** Worked out in the browser from lists (the server has no /v1/overview yet). */
  estimated: boolean;
}

/** The first waiting lines (queue order), for the age chart and the estimate. */
export async function waitingLines(
  pages = FALLBACK_PAGES,
): Promise<{ lines: Backorder[]; complete: boolean }> {
  const lines: Backorder[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const page: BackorderPage = await listBackorders({ limit: 200, ...(cursor ? { cursor } : {}) });
    lines.push(...page.data);
    cursor = page.nextCursor;
    if (cursor === null) return { lines, complete: true };
  }
  return { lines, complete: cursor === null };
}

async function estimate(): Promise<Overview> {
  const day = today();
  const [{ lines }, ordered] = await Promise.all([
    waitingLines(),
    data(api.GET('/v1/purchase-orders', { params: { query: { status: 'ordered', limit: 500 } } })),
  ]);
  const orders = new Set(lines.map((l) => l.orderId));
  const oldest = lines.reduce<string | null>(
    (min, l) => (min === null || l.placedAt < min ? l.placedAt : min),
    null,
  );
  return {
    waitingUnits: lines.reduce((n, l) => n + l.backorderedQuantity, 0),
    waitingOrders: orders.size,
    oldestWaitingSince: oldest,
    atRiskLines: lines.filter((l) => l.etaLatest !== null && l.etaLatest < day).length,
    latePurchaseOrders: ordered.data.filter((po) => po.expectedDate < day).length,
    prepaidHeld: null,
    messagesFailedToday: null,
    filledToday: null,
    asOf: new Date().toISOString(),
    estimated: true,
  };
}

export async function fetchOverview(): Promise<Overview> {
  const figures = await fetchOverviewEndpoint();
  return figures ? { ...figures, estimated: false } : estimate();
}
