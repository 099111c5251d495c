import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  available,
  backorderRemaining,
  effectiveBackorderLimit,
  type StockLevel,
  stockStatus,
} from './stock.levels.models.ts';

const level = (over: Partial<StockLevel> = {}): StockLevel => ({
  onHand: 0,
  allocated: 0,
  backordered: 0,
  waitingLines: 0,
  queueTail: 0,
  backorderMode: 'backorder',
  backorderLimit: null,
  ...over,
});

describe('available', () => {
  it('is onHand − allocated', () => {
    expect(available(level({ onHand: 10, allocated: 3 }))).toBe(7);
    expect(available(level({ onHand: 3, allocated: 3 }))).toBe(0);
  });
});

describe('backorderRemaining', () => {
  it('is 0 for deny, whatever the limit', () => {
    expect(backorderRemaining(level({ backorderMode: 'deny', backorderLimit: null }))).toBe(0);
    expect(backorderRemaining(level({ backorderMode: 'deny', backorderLimit: 50 }))).toBe(0);
    expect(effectiveBackorderLimit(level({ backorderMode: 'deny', backorderLimit: 50 }))).toBe(0);
  });
  it('is null without a limit', () => {
    expect(backorderRemaining(level({ backorderMode: 'backorder', backordered: 99 }))).toBeNull();
    expect(backorderRemaining(level({ backorderMode: 'preorder' }))).toBeNull();
    expect(effectiveBackorderLimit(level({ backorderMode: 'preorder' }))).toBeNull();
  });
  it('is limit − backordered', () => {
    expect(backorderRemaining(level({ backorderLimit: 50, backordered: 20 }))).toBe(30);
    expect(backorderRemaining(level({ backorderMode: 'preorder', backorderLimit: 5, backordered: 5 }))).toBe(
      0,
    );
    expect(backorderRemaining(level({ backorderLimit: 0 }))).toBe(0);
  });
  it('never goes below 0 (a limit lowered under what already waits)', () => {
    expect(backorderRemaining(level({ backorderLimit: 2, backordered: 5 }))).toBe(0);
  });
  it('property: remaining + backordered = limit while within the limit', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (limit, waiting) => {
        fc.pre(waiting <= limit);
        expect(backorderRemaining(level({ backorderLimit: limit, backordered: waiting }))! + waiting).toBe(
          limit,
        );
      }),
    );
  });
});

describe('stockStatus', () => {
  it('in_stock whenever something is available, in every mode', () => {
    for (const backorderMode of ['deny', 'backorder', 'preorder'] as const) {
      expect(stockStatus(level({ backorderMode, onHand: 1 }))).toBe('in_stock');
    }
  });
  it('backorder / preorder when nothing is available but more may wait', () => {
    expect(stockStatus(level({ backorderMode: 'backorder' }))).toBe('backorder');
    expect(stockStatus(level({ backorderMode: 'preorder' }))).toBe('preorder');
    expect(stockStatus(level({ backorderMode: 'backorder', backorderLimit: 3, backordered: 2 }))).toBe(
      'backorder',
    );
    expect(
      stockStatus(level({ backorderMode: 'preorder', onHand: 4, allocated: 4, backorderLimit: 1 })),
    ).toBe('preorder');
  });
  it('out_of_stock when nothing is available and nothing more may wait', () => {
    expect(stockStatus(level({ backorderMode: 'deny' }))).toBe('out_of_stock');
    expect(stockStatus(level({ backorderMode: 'deny', onHand: 2, allocated: 2 }))).toBe('out_of_stock');
    expect(stockStatus(level({ backorderMode: 'backorder', backorderLimit: 3, backordered: 3 }))).toBe(
      'out_of_stock',
    );
    expect(stockStatus(level({ backorderMode: 'preorder', backorderLimit: 0 }))).toBe('out_of_stock');
  });
});
