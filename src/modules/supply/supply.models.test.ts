import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../shared/csv.ts';
import {
  canApply,
  countsAsSupply,
  openQuantity,
  PURCHASE_ORDER_STATUSES,
  pickListByOrder,
  pickListCsv,
  planLineEdit,
  planReceipt,
  putawayOf,
  statusAfterReceipt,
} from './supply.models.ts';

describe('purchase order transitions', () => {
  const allowed = (action: Parameters<typeof canApply>[1]) =>
    PURCHASE_ORDER_STATUSES.filter((status) => canApply(status, action));

  it('orders only drafts', () => {
    expect(allowed('order')).toEqual(['draft']);
  });
  it('cancels anything not yet fully received or already cancelled', () => {
    expect(allowed('cancel')).toEqual(['draft', 'ordered', 'partially_received']);
  });
  it('receives only ordered and partially received POs', () => {
    expect(allowed('receive')).toEqual(['ordered', 'partially_received']);
  });
  it('closes received and cancelled POs to edits', () => {
    expect(allowed('edit')).toEqual(['draft', 'ordered', 'partially_received']);
  });
  it('counts only ordered and partially received POs as supply', () => {
    expect(PURCHASE_ORDER_STATUSES.filter(countsAsSupply)).toEqual(['ordered', 'partially_received']);
  });
});

describe('receiving', () => {
  const line = (sku: string, quantity: number, received = 0) => ({
    id: `pol_${sku}`,
    sku,
    quantity,
    received,
  });

  it('open quantity never goes below zero', () => {
    expect(openQuantity(line('A', 5, 2))).toBe(3);
    expect(openQuantity(line('A', 5, 7))).toBe(0);
  });

  it('a PO is received once every line is complete', () => {
    expect(statusAfterReceipt([line('A', 5, 5), line('B', 2, 1)])).toBe('partially_received');
    expect(statusAfterReceipt([line('A', 5, 5), line('B', 2, 3)])).toBe('received');
  });

  it('matches delivered SKUs to the lines', () => {
    const lines = [line('A', 5), line('B', 2)];
    const plan = planReceipt(lines, [{ sku: 'B', quantity: 2 }], false);
    expect(plan).toEqual({ ok: true, receiving: [{ line: lines[1], quantity: 2 }] });
  });

  it('refuses repeated SKUs, SKUs not on the PO and over-receipts (with their index)', () => {
    const lines = [line('A', 5, 3), line('B', 2)];
    expect(
      planReceipt(
        lines,
        [
          { sku: 'A', quantity: 1 },
          { sku: 'A', quantity: 1 },
        ],
        false,
      ),
    ).toMatchObject({ ok: false, reason: 'repeated_sku', index: 1, sku: 'A' });
    expect(planReceipt(lines, [{ sku: 'C', quantity: 1 }], false)).toMatchObject({
      ok: false,
      reason: 'not_on_purchase_order',
      index: 0,
    });
    expect(
      planReceipt(
        lines,
        [
          { sku: 'B', quantity: 1 },
          { sku: 'A', quantity: 3 },
        ],
        false,
      ),
    ).toEqual({ ok: false, reason: 'over_receipt', index: 1, sku: 'A', openQuantity: 2, requested: 3 });
    expect(planReceipt(lines, [{ sku: 'A', quantity: 3 }], true)).toMatchObject({ ok: true });
  });

  it('puts away what was not cross-docked, per SKU, only when something is left', () => {
    const crossDock = [
      { orderId: 'ord_1', lineId: 'line_1', sku: 'A', quantity: 2 },
      { orderId: 'ord_2', lineId: 'line_2', sku: 'A', quantity: 1 },
      { orderId: 'ord_3', lineId: 'line_3', sku: 'B', quantity: 4 },
    ];
    expect(
      putawayOf(
        [
          { sku: 'A', quantity: 5 },
          { sku: 'B', quantity: 4 },
          { sku: 'C', quantity: 1 },
        ],
        crossDock,
      ),
    ).toEqual([
      { sku: 'A', quantity: 2 },
      { sku: 'C', quantity: 1 },
    ]);
  });

  it('property: cross-docked plus put away equals received, per SKU', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'D'), quantity: fc.integer({ min: 1, max: 20 }) }),
          {
            selector: (l) => l.sku,
            minLength: 1,
          },
        ),
        fc.array(fc.nat(5)),
        (received, waits) => {
          // Queue fills never exceed what arrived (the queue takes at most the units received).
          const crossDock = received.flatMap(({ sku, quantity }) => {
            let left = quantity;
            return waits.flatMap((w, i) => {
              const q = Math.min(w, left);
              left -= q;
              return q > 0 ? [{ orderId: `ord_${i}`, lineId: `line_${i}`, sku, quantity: q }] : [];
            });
          });
          const putaway = putawayOf(received, crossDock);
          for (const { sku, quantity } of received) {
            const docked = crossDock.filter((f) => f.sku === sku).reduce((s, f) => s + f.quantity, 0);
            const shelf = putaway.find((p) => p.sku === sku)?.quantity ?? 0;
            expect(docked + shelf).toBe(quantity);
          }
          expect(putaway.every((p) => p.quantity > 0)).toBe(true);
        },
      ),
    );
  });
});

describe('editing lines', () => {
  const line = (sku: string, quantity: number, received: number) => ({
    sku,
    quantity,
    received,
    unitCost: 1,
  });
  const lines = [line('A', 10, 4), line('B', 5, 0), line('C', 2, 0)];

  it('keeps the lines of SKUs sent, adds new SKUs and drops the rest', () => {
    const edit = planLineEdit(lines, [
      { sku: 'B', quantity: 7, unitCost: 3 },
      { sku: 'A', quantity: 4, unitCost: 1 },
      { sku: 'D', quantity: 1, unitCost: 9 },
    ]);
    expect(edit).toEqual({
      ok: true,
      update: [
        { line: lines[1], quantity: 7, unitCost: 3 },
        { line: lines[0], quantity: 4, unitCost: 1 },
      ],
      insert: [{ sku: 'D', quantity: 1, unitCost: 9 }],
      remove: [lines[2]],
    });
  });

  it('refuses a repeated SKU, a cut below what arrived and dropping a line that received units', () => {
    expect(
      planLineEdit(lines, [
        { sku: 'B', quantity: 1, unitCost: 1 },
        { sku: 'B', quantity: 2, unitCost: 1 },
      ]),
    ).toMatchObject({ ok: false, reason: 'repeated_sku', index: 1, sku: 'B' });
    expect(planLineEdit(lines, [{ sku: 'A', quantity: 3, unitCost: 1 }])).toMatchObject({
      ok: false,
      reason: 'below_received',
      index: 0,
      received: 4,
      requested: 3,
    });
    expect(planLineEdit(lines, [{ sku: 'B', quantity: 3, unitCost: 1 }])).toMatchObject({
      ok: false,
      reason: 'received_line_removed',
      sku: 'A',
      received: 4,
    });
  });

  it('property: an accepted edit keeps every received unit and leaves exactly the SKUs sent', () => {
    const skus = fc.constantFrom('A', 'B', 'C', 'D', 'E');
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ sku: skus, quantity: fc.integer({ min: 1, max: 9 }), received: fc.nat(12) }),
          { selector: (l) => l.sku },
        ),
        fc.array(fc.record({ sku: skus, quantity: fc.integer({ min: 1, max: 9 }), unitCost: fc.nat(5) })),
        (before, wanted) => {
          const edit = planLineEdit(before, wanted);
          const repeated = new Set(wanted.map((w) => w.sku)).size !== wanted.length;
          const lostUnits = before.some((b) => {
            const w = wanted.find((x) => x.sku === b.sku);
            return b.received > 0 && (w === undefined || w.quantity < b.received);
          });
          expect(edit.ok).toBe(!repeated && !lostUnits);
          if (!edit.ok) return;
          const after = [
            ...edit.update.map((u) => ({ sku: u.line.sku, quantity: u.quantity, received: u.line.received })),
            ...edit.insert.map((i) => ({ sku: i.sku, quantity: i.quantity, received: 0 })),
          ];
          expect(after.map((a) => a.sku).sort()).toEqual(wanted.map((w) => w.sku).sort());
          const receivedBefore = before.reduce((s, b) => s + b.received, 0);
          expect(after.reduce((s, a) => s + a.received, 0)).toBe(receivedBefore);
          for (const a of after) expect(a.quantity).toBe(wanted.find((w) => w.sku === a.sku)!.quantity);
        },
      ),
    );
  });
});

describe('the pick list CSV', () => {
  it('quotes fields holding quotes, commas or line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Doe, Jane')).toBe('"Doe, Jane"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
  });

  it('defuses spreadsheet formulas with a leading single quote', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('groups cross-docked lines by order then SKU, then lists the shelf', () => {
    const csv = pickListCsv(
      {
        crossDock: [
          { orderId: 'ord_b', lineId: 'line_3', sku: 'A', quantity: 1 },
          { orderId: 'ord_a', lineId: 'line_2', sku: 'B', quantity: 2 },
          { orderId: 'ord_a', lineId: 'line_1', sku: 'A', quantity: 3 },
        ],
        putaway: [
          { sku: 'B', quantity: 4 },
          { sku: 'A', quantity: 5 },
        ],
      },
      new Map([
        ['ord_a', 'Ada, "the first"'],
        ['ord_b', null],
      ]),
    );
    expect(csv).toBe(
      [
        'order_id,line_id,sku,quantity,customer_name',
        'ord_a,line_1,A,3,"Ada, ""the first"""',
        'ord_a,line_2,B,2,"Ada, ""the first"""',
        'ord_b,line_3,A,1,',
        'SHELF,,A,5,',
        'SHELF,,B,4,',
        '',
      ].join('\r\n'),
    );
  });

  it('groups the cross-docked lines of each order together, with the order’s units', () => {
    expect(
      pickListByOrder([
        { orderId: 'ord_b', lineId: 'line_3', sku: 'A', quantity: 1 },
        { orderId: 'ord_a', lineId: 'line_2', sku: 'B', quantity: 2 },
        { orderId: 'ord_a', lineId: 'line_1', sku: 'A', quantity: 3 },
      ]),
    ).toEqual([
      {
        orderId: 'ord_a',
        units: 5,
        lines: [
          { lineId: 'line_1', sku: 'A', quantity: 3 },
          { lineId: 'line_2', sku: 'B', quantity: 2 },
        ],
      },
      { orderId: 'ord_b', units: 1, lines: [{ lineId: 'line_3', sku: 'A', quantity: 1 }] },
    ]);
    expect(pickListByOrder([])).toEqual([]);
  });
});
