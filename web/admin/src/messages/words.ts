/** How the Messages page names message kinds and states in the merchant's words. */
import type { Message } from '../api/messaging';

export const KIND_WORDS: Record<string, string> = {
  order_confirmation: 'Order confirmation',
  status_update: 'Status update',
  delay_notice: 'Delay notice',
  ready_to_ship: 'Ready to ship',
  shipped: 'Shipped',
  cancelled: 'Cancellation',
  refunded: 'Refund',
  payment_needed: 'Payment needed',
  stock_alert: 'Back-in-stock alert',
  merchant_digest: 'Daily digest (to you)',
  webhook: 'Webhook',
  staff_invite: 'Staff invitation',
  channel_test: 'Channel test',
};

export const kindWords = (kind: string): string => KIND_WORDS[kind] ?? kind.replace(/_/g, ' ');

export const STATE_LOOK: Record<Message['state'], { color: string; label: string }> = {
  queued: { color: 'blue', label: 'Queued' },
  sending: { color: 'blue', label: 'Sending' },
  sent: { color: 'green', label: 'Sent' },
  failed: { color: 'red', label: 'Failed' },
  suppressed: { color: 'gray', label: 'Not sent' },
};

export const CHANNEL_WORDS: Record<Message['channel'], string> = {
  email: 'Email',
  sms: 'SMS',
  webhook: 'Webhook',
};
