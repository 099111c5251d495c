/** What the overview reads: the figures (GET /v1/overview) and the first waiting lines (for ages). */
import { listBackorders } from '../api/backorders';
import { api, data } from '../api/client';
import type { Backorder, BackorderPage, Overview } from '../api/types';

export const fetchOverview = (): Promise<Overview> => data(api.GET('/v1/overview'));

/** The figures' query: the route's loader starts it while the page's chunk loads. */
export const overviewFigures = { queryKey: ['overview', 'figures'], queryFn: fetchOverview } as const;

/** The first waiting lines in queue order (5 pages of 200), for the age chart. */
export async function waitingLines(pages = 5): Promise<{ lines: Backorder[]; complete: boolean }> {
  const lines: Backorder[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const page: BackorderPage = await listBackorders({ limit: 200, ...(cursor ? { cursor } : {}) });
    lines.push(...page.data);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return { lines, complete: cursor === null };
}
