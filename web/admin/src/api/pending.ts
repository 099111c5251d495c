/**
 * Endpoints of the console contract (docs: /work/console-contract.md, issue 12) that this server
 * may not have yet: GET /v1/overview. When they are in the OpenAPI document, schema.d.ts has them
 * and the overview calls them through `api` instead (see overview/source.ts).
 */
import { ApiError, problemError } from './client';

export interface OverviewFigures {
  waitingUnits: number;
  waitingOrders: number;
  oldestWaitingSince: string | null;
  atRiskLines: number;
  latePurchaseOrders: number;
  prepaidHeld: { amount: number; currency: string } | null;
  messagesFailedToday: number | null;
  filledToday: { units: number; lines: number } | null;
  asOf: string;
}

/** GET /v1/overview, or null when this server does not have it (404 not_found for the route). */
export async function fetchOverviewEndpoint(): Promise<OverviewFigures | null> {
  let response: Response;
  try {
    response = await fetch('/v1/overview', {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
  } catch {
    throw new ApiError(
      0,
      'network',
      'Cannot reach the server. Check that it is running and your connection.',
    );
  }
  const body = await response.json().catch(() => null);
  if (response.status === 404) return null;
  if (!response.ok) throw problemError(response.status, body);
  return body as OverviewFigures;
}
