import { DomainError } from '../../shared/errors.ts';
import type { AlertChannel, AlertState } from './alerts.models.ts';

export const contactRequired = (): DomainError =>
  new DomainError('validation', 'validation_failed', 'Give exactly one of email or phone', {}, [
    { path: '/email', message: 'give an email address or a phone number, not both' },
  ]);

export const channelUnavailable = (channel: AlertChannel): DomainError =>
  new DomainError(
    'validation',
    'channel_unavailable',
    `This store does not send alerts by ${channel === 'email' ? 'email' : 'SMS'}`,
    { channel },
    [{ path: channel === 'email' ? '/email' : '/phone', message: `${channel} is not set up for this store` }],
  );

/** The shopper can order now: an alert would only delay them. */
export const alertNotNeeded = (sku: string, reason: 'in_stock' | 'backorder_available'): DomainError =>
  new DomainError(
    'conflict',
    reason,
    reason === 'in_stock'
      ? `"${sku}" is in stock: it can be ordered now`
      : `"${sku}" can be backordered or pre-ordered now`,
    { sku },
  );

export const alertAlreadyNotified = (alertId: string, state: AlertState): DomainError =>
  new DomainError(
    'conflict',
    'stock_alert_notified',
    `Stock alert "${alertId}" has already been sent and can no longer be cancelled`,
    // Not `status`: that member of a problem is the HTTP status.
    { alertId, currentState: state },
  );
