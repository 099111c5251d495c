/** Names for the shapes the Messages and Settings pages read, taken from the generated API types. */
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type MessagePage = Json<paths['/v1/messages']['get']['responses'][200]>;
export type Message = MessagePage['data'][number];
export type MessageDetail = Json<paths['/v1/messages/{id}']['get']['responses'][200]>;
export type MessageTemplate = Json<paths['/v1/message-templates']['get']['responses'][200]>['data'][number];
export type TemplateKind = MessageTemplate['kind'];
export type RenderedTemplate = Json<paths['/v1/message-templates/preview']['post']['responses'][200]>;
export type WebhookEndpoint = Json<paths['/v1/webhook-endpoints']['get']['responses'][200]>['data'][number];
export type MessagingSettings = Json<paths['/v1/settings/messaging']['get']['responses'][200]>;
export type MessagingPatch = NonNullable<
  paths['/v1/settings/messaging']['patch']['requestBody']
>['content']['application/json'];
export type StoreSettings = Json<paths['/v1/settings']['get']['responses'][200]>;
export type StoreSettingsPatch = NonNullable<
  paths['/v1/settings']['patch']['requestBody']
>['content']['application/json'];
export type StaffMember = Json<paths['/v1/staff']['get']['responses'][200]>['data'][number];
export type AuditEntry = Json<paths['/v1/audit-log']['get']['responses'][200]>['data'][number];
export type ApiKey = Json<paths['/v1/keys']['get']['responses'][200]>['data'][number];
