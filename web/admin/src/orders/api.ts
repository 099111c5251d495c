/** The order page's calls beyond the order itself: its timeline, its money, and the actions. */
import { api, data } from '../api/client';
import type { paths } from '../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Timeline = Json<paths['/v1/orders/{id}/timeline']['get']['responses'][200]>;
export type TimelineEntry = Timeline['data'][number];
export type OrderPayments = Json<paths['/v1/orders/{id}/payments']['get']['responses'][200]>;

export const timelineQuery = (orderId: string) => ({
  queryKey: ['order', orderId, 'timeline'] as const,
  queryFn: () => data(api.GET('/v1/orders/{id}/timeline', { params: { path: { id: orderId } } })),
});

/** The order's money, or null when Backfill does not manage the store's payments (409). */
export const paymentsQuery = (orderId: string) => ({
  queryKey: ['order', orderId, 'payments'] as const,
  queryFn: async (): Promise<OrderPayments | null> => {
    const result = await api.GET('/v1/orders/{id}/payments', { params: { path: { id: orderId } } });
    if (result.response.status === 409) return null;
    return data(Promise.resolve(result));
  },
});

/** Sends a message again (a new idempotency key per click: each click is a new resend). */
export const replayMessage = (messageId: string) =>
  data(
    api.POST('/v1/messages/{id}/replay', {
      params: { path: { id: messageId }, header: { 'idempotency-key': crypto.randomUUID() } },
    }),
  );
