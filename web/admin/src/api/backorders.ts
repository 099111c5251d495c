import { api, data } from './client';
import type { BackorderPage } from './types';

/** One page of waiting lines (JSON; the endpoint also answers CSV, which the console does not ask for). */
export async function listBackorders(query: {
  limit: number;
  sku?: string;
  cursor?: string;
}): Promise<BackorderPage> {
  return (await data(api.GET('/v1/backorders', { params: { query } }))) as BackorderPage;
}
