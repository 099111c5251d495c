import { describe, expect, it } from 'vitest';
import {
  type AlternativeCandidate,
  choicesOfForm,
  FORM_LIFETIME_SECONDS,
  formClaims,
  lineStateInWords,
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

describe('lineStateInWords', () => {
  const q = (backordered: number, allocated: number, shipped: number, cancelled: number) => ({
    quantity: backordered + allocated + shipped + cancelled,
    backordered,
    allocated,
    shipped,
    cancelled,
  });

  it('says one word when every unit is in one state', () => {
    expect(lineStateInWords(q(2, 0, 0, 0))).toBe('waiting');
    expect(lineStateInWords(q(0, 2, 0, 0))).toBe('ready');
    expect(lineStateInWords(q(0, 0, 2, 0))).toBe('shipped');
    expect(lineStateInWords(q(0, 0, 0, 2))).toBe('cancelled');
  });

  it('counts each state of a mixed line', () => {
    expect(lineStateInWords(q(1, 2, 0, 0))).toBe('1 waiting, 2 ready');
    expect(lineStateInWords(q(0, 0, 3, 1))).toBe('3 shipped, 1 cancelled');
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
