/** The connections screen's calls (issue 15): list, detail (polled while importing), and commands. */
import { api, data } from '../api/client';
import type { paths } from '../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Connection = Json<paths['/v1/connections']['get']['responses'][200]>['data'][number];
export type ConnectionDetail = Json<paths['/v1/connections/{id}']['get']['responses'][200]>;
export type InboundEvent = ConnectionDetail['failedEvents'][number];
export type Drift = Json<paths['/v1/connections/{id}/reconcile']['post']['responses'][200]>;
export type NewConnection = NonNullable<
  paths['/v1/connections']['post']['requestBody']
>['content']['application/json'];

export const connectionsQuery = {
  queryKey: ['connections'] as const,
  queryFn: () => data(api.GET('/v1/connections', { params: { query: { limit: 100 } } })),
};

export const connectionQuery = (id: string) => ({
  queryKey: ['connections', id] as const,
  queryFn: () => data(api.GET('/v1/connections/{id}', { params: { path: { id } } })),
});

export const createConnection = (body: NewConnection) =>
  data(
    api.POST('/v1/connections', {
      params: { header: { 'idempotency-key': crypto.randomUUID() } },
      body,
    }),
  );

export const updateConnection = (id: string, body: { pushFulfilments: boolean }) =>
  data(api.PATCH('/v1/connections/{id}', { params: { path: { id } }, body }));

export const startImport = (id: string) =>
  data(api.POST('/v1/connections/{id}/import', { params: { path: { id } } }));

export const reconcileNow = (id: string) =>
  data(api.POST('/v1/connections/{id}/reconcile', { params: { path: { id } } }));

export const retryEvent = (id: string, eventId: string) =>
  data(api.POST('/v1/connections/{id}/events/{eventId}/retry', { params: { path: { id, eventId } } }));
