import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  delayIsNews,
  delayThresholdDays,
  deliveryJobs,
  localMinuteOfDay,
  messagesToEnqueue,
  normalisePhone,
  parseClockTime,
  quietHoursRelease,
  retryDelayMs,
  shopperChannels,
  shopperKindOf,
} from './messages.models.ts';

describe('retryDelayMs', () => {
  it('backs off from 30 s, doubling, capped at an hour plus at most 10% jitter', () => {
    expect(retryDelayMs(1, 'msg_a')).toBeGreaterThanOrEqual(30_000);
    expect(retryDelayMs(1, 'msg_a')).toBeLessThan(33_000);
    expect(retryDelayMs(2, 'msg_a')).toBeGreaterThanOrEqual(60_000);
    expect(retryDelayMs(20, 'msg_a')).toBeLessThanOrEqual(3_960_000);
  });
  it('never shrinks from one attempt to the next', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.string({ minLength: 1 }), (attempt, id) => {
        expect(retryDelayMs(attempt + 1, id)).toBeGreaterThanOrEqual(retryDelayMs(attempt, id));
      }),
    );
  });
});

describe('quietHoursRelease', () => {
  const quiet = { startMinute: 21 * 60, endMinute: 8 * 60 };
  it('holds a message inside a window that wraps midnight until its end, in the store time zone', () => {
    expect(quietHoursRelease(new Date('2026-03-11T02:30:00Z'), 'UTC', quiet)?.toISOString()).toBe(
      '2026-03-11T08:00:00.000Z',
    );
    expect(quietHoursRelease(new Date('2026-03-11T21:00:00Z'), 'UTC', quiet)?.toISOString()).toBe(
      '2026-03-12T08:00:00.000Z',
    );
    expect(quietHoursRelease(new Date('2026-03-11T12:00:00Z'), 'UTC', quiet)).toBeNull();
    // 23:30 in Paris (UTC+1 in winter) is quiet; 08:00 Paris is 07:00 UTC.
    expect(quietHoursRelease(new Date('2026-01-15T22:30:00Z'), 'Europe/Paris', quiet)?.toISOString()).toBe(
      '2026-01-16T07:00:00.000Z',
    );
  });
  it('releases at a moment outside the window, within a day', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2027-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.constantFrom('UTC', 'Asia/Tokyo', 'America/Sao_Paulo', 'Asia/Kolkata'),
        (at, startMinute, endMinute, zone) => {
          const release = quietHoursRelease(at, zone, { startMinute, endMinute });
          if (release === null) return;
          expect(release.getTime()).toBeGreaterThan(at.getTime() - 60_000);
          expect(release.getTime() - at.getTime()).toBeLessThanOrEqual(86_400_000);
          expect(quietHoursRelease(release, zone, { startMinute, endMinute })).toBeNull();
          expect(localMinuteOfDay(release, zone)).toBe(endMinute);
        },
      ),
    );
  });
});

describe('delay notices', () => {
  it('are news only when the date moves at least the threshold past what was told', () => {
    expect(delayIsNews('2026-04-01', '2026-04-02', 1)).toBe(true);
    expect(delayIsNews('2026-04-01', '2026-04-02', 3)).toBe(false);
    expect(delayIsNews('2026-04-01', '2026-03-20', 1)).toBe(false);
    expect(delayIsNews(null, '2026-04-02', 1)).toBe(false);
  });
  it('ration a date drifting on the lead time to a weekly notice', () => {
    expect(delayThresholdDays('lead_time', 1)).toBe(7);
    expect(delayThresholdDays('lead_time', 10)).toBe(10);
    expect(delayThresholdDays('purchase_order', 1)).toBe(1);
  });
  it('come from eta changes; a queue fill is news only when it completes a waiting line', () => {
    expect(shopperKindOf('backorder.eta_changed', {})).toBe('delay_notice');
    expect(shopperKindOf('order.line.allocated', { source: 'queue', eta: '2026-04-01' })).toBe(
      'ready_to_ship',
    );
    expect(shopperKindOf('order.line.allocated', { source: 'queue' })).toBeNull();
    expect(shopperKindOf('order.line.allocated', { source: 'stock' })).toBeNull();
    expect(shopperKindOf('inventory.adjusted', {})).toBeNull();
  });
});

describe('contacts', () => {
  it('are spelled one way so preferences match messages', () => {
    expect(normalisePhone('+1 (555) 010-2000')).toBe('+15550102000');
    expect(normalisePhone('0044 20 7946 0000')).toBe('00442079460000');
    expect(
      shopperChannels({ email: true, sms: false }, { email: 'Ada@Example.COM', phone: '+1 555' }),
    ).toEqual([{ channel: 'email', recipient: 'ada@example.com' }]);
    expect(parseClockTime('07:05')).toBe(425);
    expect(parseClockTime('24:00')).toBeNull();
  });
});

describe('messagesToEnqueue', () => {
  const again = 60_000;
  it('enqueues a due message once per due time, again after a while, and forgets what left', () => {
    const first = messagesToEnqueue([{ id: 'a', dueAt: 100 }], new Map(), 1_000, again);
    expect(first.ids).toEqual(['a']);
    // Still waiting in pg-boss: not again…
    const second = messagesToEnqueue(
      [
        { id: 'a', dueAt: 100 },
        { id: 'b', dueAt: 200 },
      ],
      first.enqueued,
      2_000,
      again,
    );
    expect(second.ids).toEqual(['b']);
    // …unless it came due again (a retry, a release from quiet hours)…
    expect(messagesToEnqueue([{ id: 'a', dueAt: 900 }], second.enqueued, 3_000, again).ids).toEqual(['a']);
    // …or its job has had time to be lost.
    expect(messagesToEnqueue([{ id: 'a', dueAt: 100 }], second.enqueued, 1_000 + again, again).ids).toEqual([
      'a',
    ]);
    // A message no longer due is forgotten: due again later, it is enqueued at once.
    const gone = messagesToEnqueue([{ id: 'b', dueAt: 200 }], second.enqueued, 3_000, again);
    expect([...gone.enqueued.keys()]).toEqual(['b']);
    expect(messagesToEnqueue([{ id: 'a', dueAt: 100 }], gone.enqueued, 3_500, again).ids).toEqual(['a']);
  });

  it('never leaves a due message unenqueued for longer than the window, and remembers only what is due', () => {
    const step = fc.record({
      due: fc.uniqueArray(
        fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), dueAt: fc.integer({ min: 0, max: 3 }) }),
        {
          selector: (m) => m.id,
        },
      ),
      advance: fc.integer({ min: 0, max: 40_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let enqueued: ReturnType<typeof messagesToEnqueue>['enqueued'] = new Map();
        const lastSent = new Map<string, { dueAt: number; at: number }>();
        let now = 0;
        for (const { due, advance } of steps) {
          now += advance;
          const pick = messagesToEnqueue(due, enqueued, now, again);
          for (const id of pick.ids)
            lastSent.set(id, { dueAt: due.find((m) => m.id === id)!.dueAt, at: now });
          for (const m of due) {
            const sent = lastSent.get(m.id)!;
            expect(sent).toBeDefined();
            // Enqueued for this due time within the window (just now, or while it stayed due).
            expect(sent.dueAt).toBe(m.dueAt);
            expect(now - sent.at).toBeLessThan(again);
          }
          expect([...pick.enqueued.keys()].sort()).toEqual(due.map((m) => m.id).sort());
          enqueued = pick.enqueued;
        }
      }),
    );
  });
});

describe('deliveryJobs', () => {
  it('puts every message in exactly one job of at most perJob and of no more than an even share', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 25 }),
        (ids, lanes, perJob) => {
          const jobs = deliveryJobs(ids, lanes, perJob);
          expect(jobs.flat()).toEqual(ids);
          for (const job of jobs) expect(job.length).toBeGreaterThanOrEqual(1);
          for (const job of jobs) expect(job.length).toBeLessThanOrEqual(perJob);
          // Spread: no job takes more than an even share of the lanes.
          for (const job of jobs) expect(job.length).toBeLessThanOrEqual(Math.ceil(ids.length / lanes));
        },
      ),
    );
    expect(deliveryJobs(['a', 'b', 'c'], 4, 10)).toEqual([['a'], ['b'], ['c']]);
    expect(deliveryJobs(['a', 'b', 'c', 'd', 'e'], 2, 10)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });
});
