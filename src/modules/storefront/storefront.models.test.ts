import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors.ts';
import { StorefrontCache } from './storefront.cache.ts';
import { skusChangedBy } from './storefront.cors.ts';
import {
  availabilityOf,
  matchesEtag,
  normaliseOrigin,
  parseSkuList,
  requireOrigins,
  type ShelfRow,
} from './storefront.models.ts';

const row = (onHand: number, allocated: number, backordered: number, limit: number | null): ShelfRow => ({
  sku: 'S-1',
  level: {
    onHand,
    allocated,
    backordered,
    waitingLines: backordered > 0 ? 1 : 0,
    queueTail: 1,
    backorderMode: 'backorder',
    backorderLimit: limit,
  },
  message: 'Soon',
  releaseDate: null,
});

describe('availabilityOf', () => {
  const dated = (through: number | null) => ({
    eta: through === null ? '2030-01-01' : `2030-02-${String(through).padStart(2, '0')}`,
    etaLatest: '2030-03-01',
    source: 'lead_time' as const,
  });

  it('from stock: every unit available now, the stock date, no waiting message', () => {
    expect(availabilityOf(row(5, 2, 0, 10), 3, dated)).toEqual({
      sku: 'S-1',
      status: 'in_stock',
      quantity: 3,
      availableNow: true,
      message: null,
      expectedDate: '2030-01-01',
      expectedDateLatest: '2030-03-01',
      releaseDate: null,
    });
  });

  it('more than available: the date of the last unit, where it would wait in the queue', () => {
    // 3 free, 4 already waiting: an order of 5 waits for units 5 and 6 of the queue.
    const partial = availabilityOf(row(3, 0, 4, null), 5, dated);
    expect(partial).toMatchObject({ status: 'in_stock', availableNow: false, expectedDate: '2030-02-06' });
    const waiting = availabilityOf(row(0, 0, 4, null), 2, dated);
    expect(waiting).toMatchObject({
      status: 'backorder',
      availableNow: false,
      message: 'Soon',
      expectedDate: '2030-02-06',
    });
  });

  it('a quantity the cap refuses has no date; a full cap is sold out', () => {
    expect(availabilityOf(row(0, 0, 8, 10), 3, dated)).toMatchObject({
      status: 'backorder',
      expectedDate: null,
    });
    expect(availabilityOf(row(0, 0, 10, 10), 1, dated)).toMatchObject({
      status: 'out_of_stock',
      message: null,
      expectedDate: null,
      availableNow: false,
    });
  });
});

describe('parseSkuList', () => {
  it('keeps the order asked, once each', () => {
    expect(parseSkuList('b, a ,b,,c')).toEqual({ skus: ['b', 'a', 'c'] });
  });
  it('refuses an empty list, more than 100, and what is not a SKU', () => {
    expect(parseSkuList(' , ')).toHaveProperty('refusal');
    expect(parseSkuList(Array.from({ length: 100 }, (_, i) => `s${i}`).join(','))).toHaveProperty('skus');
    expect(parseSkuList(Array.from({ length: 101 }, (_, i) => `s${i}`).join(','))).toHaveProperty('refusal');
    expect(parseSkuList('ok,not ok')).toHaveProperty('refusal');
    expect(parseSkuList(`${'x'.repeat(101)}`)).toHaveProperty('refusal');
  });
});

describe('origins', () => {
  it('are what browsers send in Origin', () => {
    expect(normaliseOrigin('https://Shop.EXAMPLE:443/')).toBe('https://shop.example');
    expect(normaliseOrigin('http://localhost:8080')).toBe('http://localhost:8080');
    expect(normaliseOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example');
    for (const bad of [
      'null',
      '*',
      'https://a.example/p',
      'https://a.example?x',
      'https://a.example#x',
      'file:///x',
      'javascript:alert(1)',
      'https://u@a.example',
    ]) {
      expect(normaliseOrigin(bad), bad).toBeNull();
    }
  });
  it('a bad one refuses the whole list, naming it', () => {
    try {
      requireOrigins(['https://a.example', 'nope'], '/allowedOrigins');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).errors).toEqual([
        { path: '/allowedOrigins/1', message: expect.any(String) },
      ]);
    }
  });
});

describe('matchesEtag', () => {
  it('compares weakly, in lists, and accepts *', () => {
    expect(matchesEtag('"a"', '"a"')).toBe(true);
    expect(matchesEtag('W/"a"', '"a"')).toBe(true);
    expect(matchesEtag('"b", "a"', '"a"')).toBe(true);
    expect(matchesEtag('*', '"a"')).toBe(true);
    expect(matchesEtag('"b"', '"a"')).toBe(false);
    expect(matchesEtag(undefined, '"a"')).toBe(false);
  });
});

describe('StorefrontCache', () => {
  let now = 1_000;
  const cache = () => new StorefrontCache<string>(100, { now: () => now });

  it('keeps an answer for its time to live on the app clock', () => {
    const c = cache();
    c.set(c.ticket('s', 'A'), 'k', 'v');
    expect(c.get('s', 'A', 'k')).toBe('v');
    now += 99;
    expect(c.get('s', 'A', 'k')).toBe('v');
    now += 1;
    expect(c.get('s', 'A', 'k')).toBeUndefined();
    // A clock moved back (a test) does not revive old answers either.
    c.set(c.ticket('s', 'A'), 'k', 'v2');
    now -= 50;
    expect(c.get('s', 'A', 'k')).toBeUndefined();
  });

  it('a write empties the store, and an answer read before it is not kept', () => {
    const c = cache();
    c.set(c.ticket('s', 'A'), 'k', 'v');
    c.set(c.ticket('t', 'A'), 'k', 'other store');
    const before = c.ticket('s', 'A');
    c.invalidate('s');
    expect(c.get('s', 'A', 'k')).toBeUndefined();
    expect(c.get('t', 'A', 'k')).toBe('other store');
    c.set(before, 'k', 'read before the write');
    expect(c.get('s', 'A', 'k')).toBeUndefined();
    c.set(c.ticket('s', 'A'), 'k', 'read after');
    expect(c.get('s', 'A', 'k')).toBe('read after');
  });

  it('a write naming its SKUs empties only theirs, and refuses their older reads', () => {
    const c = cache();
    c.set(c.ticket('s', 'A'), '1', 'a');
    c.set(c.ticket('s', 'B'), '1', 'b');
    const racingA = c.ticket('s', 'A');
    const racingB = c.ticket('s', 'B');
    c.invalidate('s', ['A', 'NEVER-READ']);
    expect(c.get('s', 'A', '1')).toBeUndefined();
    expect(c.get('s', 'B', '1')).toBe('b');
    c.set(racingA, '2', 'old a');
    c.set(racingB, '2', 'b2');
    expect(c.get('s', 'A', '2')).toBeUndefined();
    expect(c.get('s', 'B', '2')).toBe('b2');
  });

  it('concurrent readers of one key share one read, but never one that started before a write', async () => {
    const c = cache();
    let reads = 0;
    const load = async () => {
      const n = ++reads;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `read ${n}`;
    };
    const first = c.shared(c.ticket('s', 'A'), 'k', load);
    const second = c.shared(c.ticket('s', 'A'), 'k', load);
    c.invalidate('s', ['A']);
    const afterWrite = c.shared(c.ticket('s', 'A'), 'k', load);
    expect(await Promise.all([first, second, afterWrite])).toEqual(['read 1', 'read 1', 'read 2']);
    // Once settled, the next reader reads again.
    expect(await c.shared(c.ticket('s', 'A'), 'k', load)).toBe('read 3');
  });

  it('a time to live of 0 keeps nothing', () => {
    const c = new StorefrontCache<string>(0, { now: () => now });
    c.set(c.ticket('s', 'A'), 'k', 'v');
    expect(c.get('s', 'A', 'k')).toBeUndefined();
  });
});

describe('skusChangedBy', () => {
  it("names an order's SKUs, and nothing for other writes", () => {
    expect(skusChangedBy('/v1/orders', 'POST', { lines: [{ sku: 'A', quantity: 1 }, { sku: 'B' }] })).toEqual(
      ['A', 'B'],
    );
    expect(skusChangedBy('/v1/orders', 'POST', { lines: [{ quantity: 1 }] })).toBeUndefined();
    expect(skusChangedBy('/v1/orders', 'POST', null)).toBeUndefined();
    expect(skusChangedBy('/v1/orders/:id/cancel', 'POST', { lines: [{ sku: 'A' }] })).toBeUndefined();
    expect(skusChangedBy('/v1/inventory/adjustments', 'POST', { sku: 'A' })).toBeUndefined();
  });
});
