import { describe, expect, it } from 'vitest';
import { parseCsv } from '../shared/csv.ts';
import { type CsvBody, csvProblem, csvToBody } from './csv.ts';
import { problem } from './problem.ts';

const SPEC: CsvBody = {
  listField: 'variants',
  columns: {
    sku: 'text',
    price: 'integer',
    share: 'number',
    tags: 'list',
    'attributes.*': 'text',
    'backorder.mode': 'text',
    'backorder.limit': 'integer',
  },
  required: ['sku'],
};

const body = (text: string) => csvToBody(parseCsv(text), SPEC);

describe('csvToBody', () => {
  it('turns each row into an item: numbers where the text is one, lists split, nested fields, empty cells left out', () => {
    const { body: result, rows } = body(
      'sku,price,share,tags,attributes.color,backorder.mode,backorder.limit\r\n' +
        'A, 12 ,12.5,"a, b ,,c",red,backorder,auto\r\n' +
        '\r\n' +
        'B,1.5,x,,,,\r\n',
    );
    expect(result).toEqual({
      variants: [
        {
          sku: 'A',
          price: 12,
          share: 12.5,
          tags: ['a', 'b', 'c'],
          attributes: { color: 'red' },
          backorder: { mode: 'backorder', limit: 'auto' },
        },
        // Text that is not a number stays text for the schema to refuse; nested objects are there.
        { sku: 'B', price: '1.5', share: 'x', attributes: {}, backorder: {} },
      ],
    });
    expect(rows).toEqual([2, 4]);
  });

  it('keeps an attribute named __proto__ an attribute', () => {
    const { body: result } = body('sku,attributes.__proto__\r\nA,red\r\n');
    const attributes = (result.variants as Record<string, Record<string, unknown>>[])[0]!.attributes!;
    expect(Object.keys(attributes)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
  });
});

describe('csvProblem', () => {
  it('names rows and columns instead of JSON paths, in errors and detail', () => {
    const source = { listField: 'variants', rows: [2, 4], lists: new Set(['tags']) };
    const translated = csvProblem(
      problem(422, 'validation_failed', 'Invalid request body: /variants/1/backorder/limit must be integer', {
        errors: [
          { path: '/variants/1/backorder/limit', message: 'must be integer' },
          { path: '/variants/0/tags/3', message: 'must match pattern' },
          { path: '/variants/0', message: 'must have required property' },
          { path: '/variants', message: 'must NOT have more than 500 items' },
          { path: '/rows/1/colour', message: 'is not a known column' },
        ],
      }),
      source,
    );
    expect(translated.detail).toBe('Invalid request body: /rows/4/backorder.limit must be integer');
    expect(translated.errors).toEqual([
      { path: '/rows/4/backorder.limit', message: 'must be integer' },
      { path: '/rows/2/tags', message: 'must match pattern' },
      { path: '/rows/2', message: 'must have required property' },
      { path: '/rows', message: 'must NOT have more than 500 items' },
      { path: '/rows/1/colour', message: 'is not a known column' },
    ]);
  });
});
