import { describe, expect, it } from 'vitest';
import { LANGUAGES, negotiateLocale, wordsFor } from './selfservice.i18n.ts';
import {
  type AlternativeCandidate,
  choicesOfForm,
  dateHistory,
  FORM_LIFETIME_SECONDS,
  formClaims,
  lineReason,
  rankAlternatives,
  shipsSooner,
} from './selfservice.models.ts';

const line = { waiting: 3, unitPrice: 1000, eta: '2026-04-20' };

const candidate = (sku: string, extra: Partial<AlternativeCandidate> = {}): AlternativeCandidate => ({
  sku,
  title: sku,
  price: 1000,
  relation: 'same_product',
  available: 0,
  eta: null,
  ...extra,
});

const skus = (list: readonly { sku: string }[]) => list.map((c) => c.sku);

describe('shipsSooner', () => {
  it('takes stock for every waiting unit, or a date before the line’s', () => {
    expect(shipsSooner(line, candidate('A', { available: 3 }))).toBe(true);
    expect(shipsSooner(line, candidate('B', { available: 2, eta: '2026-04-20' }))).toBe(false);
    expect(shipsSooner(line, candidate('C', { available: 2, eta: '2026-04-19' }))).toBe(true);
    expect(shipsSooner(line, candidate('D', { eta: null }))).toBe(false);
  });

  it('offers only stock when the line has no date to beat', () => {
    const undated = { ...line, eta: null };
    expect(shipsSooner(undated, candidate('A', { eta: '2026-01-02' }))).toBe(false);
    expect(shipsSooner(undated, candidate('B', { available: 5, eta: '2026-01-02' }))).toBe(true);
  });
});

describe('rankAlternatives', () => {
  it('drops what does not ship sooner and marks what is in stock', () => {
    const ranked = rankAlternatives(line, [
      candidate('LATER', { eta: '2026-05-01' }),
      candidate('SAME-DAY', { eta: '2026-04-20' }),
      candidate('STOCK', { available: 3, eta: '2026-03-10' }),
      candidate('SOONER', { eta: '2026-04-01' }),
    ]);
    expect(skus(ranked)).toEqual(['STOCK', 'SOONER']);
    expect(ranked.map((r) => r.inStock)).toEqual([true, false]);
  });

  it('puts stock first even when a dated one is earlier', () => {
    const ranked = rankAlternatives(line, [
      candidate('DATED', { eta: '2026-03-01' }),
      candidate('STOCK', { available: 10, eta: '2026-03-12' }),
    ]);
    expect(skus(ranked)).toEqual(['STOCK', 'DATED']);
  });

  it('orders by date, then same product before same tag, then closest price, then SKU', () => {
    const ranked = rankAlternatives(line, [
      candidate('TAG-CLOSE', { relation: 'same_tag', eta: '2026-04-01', price: 1000 }),
      candidate('PRODUCT-FAR', { eta: '2026-04-01', price: 5000 }),
      candidate('PRODUCT-CHEAP', { eta: '2026-04-01', price: 900 }),
      candidate('PRODUCT-DEAR', { eta: '2026-04-01', price: 1100 }),
      candidate('EARLIEST-TAG', { relation: 'same_tag', eta: '2026-03-20', price: 99_999 }),
    ]);
    expect(skus(ranked)).toEqual([
      'EARLIEST-TAG',
      'PRODUCT-CHEAP',
      'PRODUCT-DEAR',
      'PRODUCT-FAR',
      'TAG-CLOSE',
    ]);
  });

  it('ranks in-stock alternatives by relation and price too (their dates are equal)', () => {
    const stock = { available: 3, eta: '2026-03-10' };
    const ranked = rankAlternatives(line, [
      candidate('TAG', { ...stock, relation: 'same_tag', price: 1000 }),
      candidate('PRODUCT', { ...stock, price: 4000 }),
    ]);
    expect(skus(ranked)).toEqual(['PRODUCT', 'TAG']);
  });

  it('does not depend on the order candidates come in', () => {
    const list = [
      candidate('A', { eta: '2026-04-01' }),
      candidate('B', { eta: '2026-04-01' }),
      candidate('C', { available: 4 }),
      candidate('D', { relation: 'same_tag', eta: '2026-03-01' }),
    ];
    const expected = skus(rankAlternatives(line, list));
    expect(skus(rankAlternatives(line, [...list].reverse()))).toEqual(expected);
    expect(expected).toEqual(['C', 'D', 'A', 'B']);
  });
});

describe('formClaims', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const nowSeconds = now.getTime() / 1000;
  const link = {
    storeId: 'sto_1',
    action: 'status' as const,
    subject: 'ord_1',
    expiresAt: nowSeconds + 86_400,
  };

  it('grants the named action on the same subject for an hour', () => {
    expect(formClaims(link, 'cancel', now, 'line_1')).toEqual({
      storeId: 'sto_1',
      action: 'cancel',
      subject: 'ord_1',
      lineId: 'line_1',
      expiresAt: nowSeconds + FORM_LIFETIME_SECONDS,
    });
    expect(formClaims(link, 'preferences', now)).not.toHaveProperty('lineId');
  });

  it('never outlives the link that opened the page', () => {
    const soon = { ...link, expiresAt: nowSeconds + 60 };
    expect(formClaims(soon, 'cancel', now).expiresAt).toBe(nowSeconds + 60);
  });
});

describe('choicesOfForm', () => {
  it('reads unticked boxes (absent from the body) as off', () => {
    expect(choicesOfForm({ email: 'on', updates: 'on' })).toEqual({
      email: true,
      sms: false,
      unsubscribed: false,
    });
    expect(choicesOfForm({})).toEqual({ email: false, sms: false, unsubscribed: true });
  });
});

describe('lineReason', () => {
  const line = (over: Partial<Parameters<typeof lineReason>[0]>) => ({
    quantity: 3,
    allocated: 0,
    backordered: 0,
    shipped: 0,
    cancelled: 0,
    ordersAhead: null,
    eta: null,
    awaited: { kind: 'unknown' } as const,
    ...over,
  });
  it('explains waiting units first, by the orders ahead and the supply they wait for', () => {
    const awaited = { kind: 'purchase_order', date: '2026-12-18' } as const;
    expect(lineReason(line({ backordered: 2, allocated: 1, ordersAhead: 2, awaited }), '2026-12-01')).toEqual(
      {
        kind: 'waiting',
        ordersAhead: 2,
        awaited,
      },
    );
  });
  it('says when ready units ship, if not today', () => {
    expect(lineReason(line({ allocated: 3, eta: '2026-12-01' }), '2026-12-01')).toEqual({
      kind: 'ready',
      shipsOn: null,
    });
    expect(lineReason(line({ allocated: 3, eta: '2026-12-05' }), '2026-12-01')).toEqual({
      kind: 'ready',
      shipsOn: '2026-12-05',
    });
  });
  it('ends shipped or cancelled', () => {
    expect(lineReason(line({ shipped: 2, cancelled: 1 }), '2026-12-01')).toEqual({ kind: 'shipped' });
    expect(lineReason(line({ cancelled: 3 }), '2026-12-01')).toEqual({ kind: 'cancelled' });
  });
});

describe('dateHistory', () => {
  it('starts with the first promise and lists each move, skipping no-ops', () => {
    expect(
      dateHistory('2026-03-01', '2026-04-05', [
        { day: '2026-03-03', previousEta: '2026-04-01', eta: '2026-04-10' },
        { day: '2026-03-04', previousEta: '2026-04-10', eta: '2026-04-10' },
        { day: '2026-03-05', previousEta: '2026-04-10', eta: '2026-04-05' },
      ]),
    ).toEqual([
      { kind: 'first', day: '2026-03-01', eta: '2026-04-01' },
      { kind: 'later', day: '2026-03-03', eta: '2026-04-10', days: 9 },
      { kind: 'sooner', day: '2026-03-05', eta: '2026-04-05', days: 5 },
    ]);
  });
  it('is the promise alone when the date never moved, and empty without a date', () => {
    expect(dateHistory('2026-03-01', '2026-04-01', [])).toEqual([
      { kind: 'first', day: '2026-03-01', eta: '2026-04-01' },
    ]);
    expect(dateHistory('2026-03-01', null, [])).toEqual([]);
  });
});

describe('negotiateLocale', () => {
  it('takes ?lang= first, then the best Accept-Language we speak, else English', () => {
    expect(negotiateLocale('fr', 'de-DE')).toEqual({ lang: 'fr', locale: 'fr-FR' });
    expect(negotiateLocale('xx', 'de-AT,de;q=0.9')).toEqual({ lang: 'de', locale: 'de-AT' });
    expect(negotiateLocale(undefined, 'ja, fr;q=0.4, de;q=0.7')).toEqual({ lang: 'de', locale: 'de-DE' });
    expect(negotiateLocale(undefined, 'en-US')).toEqual({ lang: 'en', locale: 'en-US' });
    expect(negotiateLocale(undefined, 'fr;q=0, es')).toEqual({ lang: 'en', locale: 'en-GB' });
    expect(negotiateLocale(undefined, undefined)).toEqual({ lang: 'en', locale: 'en-GB' });
  });
});

describe('the dictionaries', () => {
  it('give every language every sentence', () => {
    const shape = (words: object) =>
      Object.entries(words)
        .map(([k, v]) => `${k}:${typeof v}:${typeof v === 'function' ? v.length : ''}`)
        .sort();
    for (const lang of LANGUAGES) expect(shape(wordsFor(lang))).toEqual(shape(wordsFor('en')));
  });
});
