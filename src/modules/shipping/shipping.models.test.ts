import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  isWorkingDay,
  MONDAY_TO_FRIDAY,
  nextWorkingDay,
  type WorkingCalendar,
  weekdayOf,
} from '../../shared/dates.ts';
import { deliveryWindow, departureDay, expressUpgrade, type ShippingMethod } from './shipping.models.ts';

// 2026-03-10 is a Tuesday; 2026-03-13 a Friday; 2026-12-25 a Friday.
const WEEK = MONDAY_TO_FRIDAY;
const HOLIDAYS: WorkingCalendar = { ...WEEK, closedDates: ['2026-12-24', '2026-12-25', '2026-12-31'] };
const noon = (today: string) => ({ today, minute: 12 * 60 });

const method = (over: Partial<ShippingMethod> = {}): ShippingMethod => ({
  code: 'standard',
  name: 'Standard',
  transitDaysMin: 2,
  transitDaysMax: 4,
  cutoffMinute: null,
  position: 1,
  retired: false,
  ...over,
});

describe('working days', () => {
  it('names weekdays and skips weekends and closed dates', () => {
    expect(weekdayOf('2026-03-10')).toBe('tue');
    expect(weekdayOf('2026-03-15')).toBe('sun');
    expect(isWorkingDay(WEEK, '2026-03-13')).toBe(true);
    expect(isWorkingDay(WEEK, '2026-03-14')).toBe(false);
    expect(nextWorkingDay(WEEK, '2026-03-14')).toBe('2026-03-16');
    expect(nextWorkingDay(HOLIDAYS, '2026-12-24')).toBe('2026-12-28');
  });

  it('counts transit in working days only', () => {
    expect(addWorkingDays(WEEK, '2026-03-10', 0)).toBe('2026-03-10');
    expect(addWorkingDays(WEEK, '2026-03-13', 1)).toBe('2026-03-16');
    expect(addWorkingDays(WEEK, '2026-03-10', 5)).toBe('2026-03-17');
    expect(addWorkingDays(HOLIDAYS, '2026-12-23', 2)).toBe('2026-12-29');
    const sixDays: WorkingCalendar = {
      workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
      closedDates: [],
    };
    expect(addWorkingDays(sixDays, '2026-03-13', 1)).toBe('2026-03-14');
  });

  it('always land on a working day, never earlier than calendar days would', () => {
    const weekdays = fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, {
      minLength: 1,
    });
    fc.assert(
      fc.property(
        weekdays,
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 30 }),
        (days, offset, n) => {
          const calendar = { workingDays: days, closedDates: [] };
          const start = addDays('2026-01-01', offset);
          const end = addWorkingDays(calendar, start, n);
          expect(isWorkingDay(calendar, end)).toBe(true);
          expect(end >= addDays(start, n)).toBe(true);
        },
      ),
    );
  });
});

describe('departureDay', () => {
  it('leaves on the ship date when it is a working day ahead', () => {
    expect(departureDay(WEEK, null, '2026-03-12', noon('2026-03-10'))).toBe('2026-03-12');
    expect(departureDay(WEEK, null, '2026-03-14', noon('2026-03-10'))).toBe('2026-03-16');
  });

  it('leaves today at the earliest, and the next working day once the cut-off has passed', () => {
    expect(departureDay(WEEK, null, '2026-03-01', noon('2026-03-10'))).toBe('2026-03-10');
    expect(departureDay(WEEK, 14 * 60, '2026-03-10', noon('2026-03-10'))).toBe('2026-03-10');
    expect(departureDay(WEEK, 11 * 60, '2026-03-10', noon('2026-03-10'))).toBe('2026-03-11');
    // Friday after the cut-off: Monday.
    expect(departureDay(WEEK, 11 * 60, '2026-03-13', noon('2026-03-13'))).toBe('2026-03-16');
    // Saturday: whatever the cut-off, Monday.
    expect(departureDay(WEEK, null, '2026-03-14', noon('2026-03-14'))).toBe('2026-03-16');
  });
});

describe('deliveryWindow', () => {
  it('adds the shortest transit to the ship date and the longest to the latest ship date', () => {
    expect(
      deliveryWindow(WEEK, method(), { eta: '2026-03-12', etaLatest: '2026-03-16' }, noon('2026-03-10')),
    ).toEqual({ deliveryEta: '2026-03-16', deliveryEtaLatest: '2026-03-20' });
    expect(
      deliveryWindow(WEEK, method(), { eta: '2026-03-12', etaLatest: null }, noon('2026-03-10')),
    ).toEqual({ deliveryEta: '2026-03-16', deliveryEtaLatest: '2026-03-18' });
  });

  it('goes round the holidays', () => {
    const express = method({ transitDaysMin: 1, transitDaysMax: 1 });
    expect(
      deliveryWindow(HOLIDAYS, express, { eta: '2026-12-23', etaLatest: '2026-12-23' }, noon('2026-12-20')),
    ).toEqual({ deliveryEta: '2026-12-28', deliveryEtaLatest: '2026-12-28' });
  });

  it('never ends before it starts, and never before the ship date', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.option(fc.integer({ min: 0, max: 1439 })),
        (etaOffset, lateDays, min, extra, minute, cutoff) => {
          const eta = addDays('2026-03-01', etaOffset);
          const window = deliveryWindow(
            WEEK,
            method({ transitDaysMin: min, transitDaysMax: min + extra, cutoffMinute: cutoff }),
            { eta, etaLatest: addDays(eta, lateDays) },
            { today: '2026-03-10', minute },
          );
          expect(window.deliveryEtaLatest >= window.deliveryEta).toBe(true);
          expect(window.deliveryEta >= (eta > '2026-03-10' ? eta : '2026-03-10')).toBe(true);
          expect(isWorkingDay(WEEK, window.deliveryEta)).toBe(true);
        },
      ),
    );
  });
});

describe('expressUpgrade', () => {
  const standard = method();
  const express = method({
    code: 'express',
    name: 'Express',
    transitDaysMin: 1,
    transitDaysMax: 1,
    position: 2,
  });
  const courier = method({ code: 'courier', transitDaysMin: 0, transitDaysMax: 1, position: 3 });

  it('takes the fastest method offered, or the one the rule names', () => {
    expect(expressUpgrade([standard, express, courier], standard, null)?.code).toBe('courier');
    expect(expressUpgrade([standard, express, courier], standard, 'express')?.code).toBe('express');
    expect(expressUpgrade([standard, express, { ...courier, retired: true }], standard, null)?.code).toBe(
      'express',
    );
    // No method yet (the store had no default): any offered one is an upgrade.
    expect(expressUpgrade([standard, express], null, null)?.code).toBe('express');
  });

  it('upgrades nothing that is already as fast', () => {
    expect(expressUpgrade([standard, express], express, null)).toBeNull();
    expect(expressUpgrade([standard, express, courier], courier, 'express')).toBeNull();
    expect(expressUpgrade([standard], standard, null)).toBeNull();
  });
});
