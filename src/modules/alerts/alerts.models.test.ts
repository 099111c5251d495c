import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StockLevel } from '../stock/stock.levels.models.ts';
import {
  alertContact,
  batchDue,
  batchSize,
  configuredChannels,
  DEFAULT_ALERT_BATCH_INTERVAL_MINUTES,
  freeUnits,
  planAlertBatch,
  signupRefusal,
} from './alerts.models.ts';

const level = (over: Partial<StockLevel> = {}): StockLevel => ({
  onHand: 0,
  allocated: 0,
  backordered: 0,
  waitingLines: 0,
  queueTail: 0,
  backorderMode: 'deny',
  backorderLimit: null,
  ...over,
});

const at = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 10, minutes));

describe('signupRefusal', () => {
  it('accepts a sold-out variant that cannot be backordered', () => {
    expect(signupRefusal(level({ onHand: 4, allocated: 4 }))).toBeNull();
  });
  it('accepts a backorderable variant whose cap is reached: the shopper cannot order now', () => {
    expect(
      signupRefusal(level({ backorderMode: 'backorder', backorderLimit: 2, backordered: 2 })),
    ).toBeNull();
  });
  it('refuses when units are free', () => {
    expect(signupRefusal(level({ onHand: 5, allocated: 4 }))).toBe('in_stock');
    expect(signupRefusal(level({ onHand: 5, backorderMode: 'backorder' }))).toBe('in_stock');
  });
  it('refuses when the shopper can backorder or pre-order now', () => {
    expect(signupRefusal(level({ backorderMode: 'backorder' }))).toBe('backorder_available');
    expect(signupRefusal(level({ backorderMode: 'preorder', backorderLimit: 10, backordered: 3 }))).toBe(
      'backorder_available',
    );
  });
});

describe('alertContact', () => {
  it('spells contacts as messages do', () => {
    expect(alertContact({ email: 'Ann@Example.COM' })).toEqual({
      channel: 'email',
      contact: 'ann@example.com',
    });
    expect(alertContact({ phone: '+1 (555) 010-2000' })).toEqual({ channel: 'sms', contact: '+15550102000' });
  });
  it('needs exactly one contact', () => {
    expect(alertContact({})).toBeNull();
    expect(alertContact({ email: 'a@b.example', phone: '+15550102000' })).toBeNull();
  });
});

describe('configuredChannels', () => {
  const none = { smtpUrl: null, emailFrom: null, smsBaseUrl: null, smsFrom: null };
  it('needs both the server and the sender of a channel', () => {
    expect(configuredChannels(none)).toEqual([]);
    expect(configuredChannels({ ...none, smtpUrl: 'smtp://x' })).toEqual([]);
    expect(configuredChannels({ ...none, smtpUrl: 'smtp://x', emailFrom: 'a@b' })).toEqual(['email']);
    expect(configuredChannels({ ...none, smsBaseUrl: 'https://x', smsFrom: '+1' })).toEqual(['sms']);
  });
});

describe('freeUnits', () => {
  it('is the available units when nothing waits', () => {
    expect(freeUnits(level({ onHand: 5, allocated: 2 }))).toBe(3);
  });
  it('is 0 while any unit waits in the backorder queue, even with units available', () => {
    expect(freeUnits(level({ onHand: 5, allocated: 0, backordered: 1, waitingLines: 1 }))).toBe(0);
  });
});

describe('batchSize', () => {
  it('is free units × factor, rounded up', () => {
    expect(batchSize(3, 1)).toBe(3);
    expect(batchSize(3, 2)).toBe(6);
    expect(batchSize(3, 1.5)).toBe(5);
    expect(batchSize(1, 0.25)).toBe(1);
  });
  it('is exact for two-decimal factors (no float error rounding up)', () => {
    expect(batchSize(10, 1.1)).toBe(11);
    expect(batchSize(100, 0.07)).toBe(7);
  });
  it('is 0 without free units', () => {
    expect(batchSize(0, 5)).toBe(0);
    expect(batchSize(-2, 1)).toBe(0);
  });
  it('never sends fewer alerts than free units when factor ≥ 1, nor more than free × factor + 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 100, max: 100_000 }),
        (free, cents) => {
          const size = batchSize(free, cents / 100);
          expect(size).toBeGreaterThanOrEqual(free);
          expect(size).toBeLessThan((free * cents) / 100 + 1);
        },
      ),
    );
  });
});

describe('batchDue', () => {
  it('lets the first batch go at once', () => {
    expect(batchDue(null, at(0))).toBe(true);
  });
  it('spaces batches of a SKU by 15 minutes unless the store says otherwise', () => {
    expect(DEFAULT_ALERT_BATCH_INTERVAL_MINUTES).toBe(15);
    expect(batchDue(at(0), at(14))).toBe(false);
    expect(batchDue(at(0), new Date(at(15).getTime() - 1))).toBe(false);
    expect(batchDue(at(0), at(15))).toBe(true);
  });
  it("spaces them by the store's own interval", () => {
    expect(batchDue(at(0), at(4), 5)).toBe(false);
    expect(batchDue(at(0), at(5), 5)).toBe(true);
    expect(batchDue(at(0), at(59), 60)).toBe(false);
    expect(batchDue(at(0), at(60), 60)).toBe(true);
  });
});

describe('planAlertBatch', () => {
  it('sizes the batch on the free units', () => {
    expect(planAlertBatch({ level: level({ onHand: 3 }), factor: 2, lastBatchAt: null, now: at(0) })).toEqual(
      {
        freeUnits: 3,
        size: 6,
      },
    );
  });
  it('sends nothing before the interval, whatever is free', () => {
    expect(
      planAlertBatch({ level: level({ onHand: 3 }), factor: 1, lastBatchAt: at(0), now: at(5) }).size,
    ).toBe(0);
  });
  it('sends nothing while backorders wait: they are served first', () => {
    const queued = level({ onHand: 3, backordered: 2, waitingLines: 1, backorderMode: 'backorder' });
    expect(planAlertBatch({ level: queued, factor: 1, lastBatchAt: null, now: at(0) })).toEqual({
      freeUnits: 0,
      size: 0,
    });
  });
  it('sends nothing once the free units are gone', () => {
    expect(
      planAlertBatch({
        level: level({ onHand: 3, allocated: 3 }),
        factor: 1,
        lastBatchAt: at(0),
        now: at(30),
      }).size,
    ).toBe(0);
  });
});
