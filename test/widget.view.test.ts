/** The widget's words for each answer (pure: web/widget/view.ts), in the three languages it ships. */
import { describe, expect, it } from 'vitest';
import { LANGUAGES, TEXT_KEYS, textsFor } from '../web/widget/texts.ts';
import { type AvailabilityAnswer, dateFormatter, fill, viewOf } from '../web/widget/view.ts';

const answer = (fields: Partial<AvailabilityAnswer>): AvailabilityAnswer => ({
  sku: 'S-1',
  status: 'backorder',
  quantity: 1,
  availableNow: false,
  message: null,
  expectedDate: '2031-03-14',
  expectedDateLatest: '2031-03-14',
  releaseDate: null,
  ...fields,
});
const today = new Date('2031-01-10T12:00:00Z');

describe('viewOf', () => {
  const en = textsFor('en-US');
  const format = dateFormatter('en-US', today);

  it('names each state', () => {
    const cases: [Partial<AvailabilityAnswer>, string, string][] = [
      [{ status: 'in_stock', availableNow: true }, 'in-stock', 'In stock'],
      [{ status: 'in_stock', quantity: 4 }, 'partial', 'Partly in stock'],
      [{}, 'backorder', 'Available on backorder'],
      [{ status: 'preorder' }, 'preorder', 'Available for pre-order'],
      [{ expectedDate: null, expectedDateLatest: null }, 'unavailable', 'Not available in this quantity'],
      [{ status: 'out_of_stock', expectedDate: null }, 'sold-out', 'Sold out'],
    ];
    for (const [fields, state, headline] of cases) {
      const view = viewOf(answer(fields), en, format);
      expect([view.state, view.headline, view.notify]).toEqual([state, headline, state === 'sold-out']);
    }
  });

  it('dates: one day, or a window; the year only when it is not this one', () => {
    expect(viewOf(answer({}), en, format).details).toEqual(['Expected to ship on March 14.']);
    expect(viewOf(answer({ expectedDateLatest: '2032-01-02', quantity: 3 }), en, format).details).toEqual([
      'Expected to ship between March 14 and January 2, 2032.',
      'Date for 3 items.',
    ]);
    expect(viewOf(answer({ status: 'preorder', releaseDate: '2031-05-20' }), en, format).details).toEqual([
      'Release date: May 20.',
      'Expected to ship on March 14.',
    ]);
  });

  it('German and French, dates in their own form', () => {
    const de = viewOf(
      answer({ status: 'preorder', releaseDate: '2032-05-20' }),
      textsFor('de-CH'),
      dateFormatter('de-CH', today),
    );
    expect([de.headline, ...de.details]).toEqual([
      'Vorbestellbar',
      'Erscheinungsdatum: 20. Mai 2032.',
      'Voraussichtlicher Versand am 14. März.',
    ]);
    const fr = viewOf(
      answer({ expectedDateLatest: '2031-03-18' }),
      textsFor('fr'),
      dateFormatter('fr-FR', today),
    );
    expect([fr.headline, ...fr.details]).toEqual([
      'Disponible sur commande',
      'Expédition prévue entre le 14 mars et le 18 mars.',
    ]);
    expect(textsFor('es').inStock).toBe('In stock');
  });

  it('shipping methods only when the answer has them', () => {
    const shipping = [
      { code: 'std', name: 'Standard', deliveryEta: '2031-03-17', deliveryEtaLatest: '2031-03-19' },
      { code: 'exp', name: 'Express', deliveryEta: '2031-03-15', deliveryEtaLatest: null },
      { code: 'none', name: 'Pickup', deliveryEta: null, deliveryEtaLatest: null },
    ];
    expect(viewOf(answer({ shipping }), en, format).shipping).toEqual([
      'Standard: arrives between March 17 and March 19',
      'Express: arrives on March 15',
    ]);
    expect(viewOf(answer({}), en, format).shipping).toEqual([]);
  });

  it("the merchant's words replace any text", () => {
    const texts = textsFor('de', { soldOut: 'Bald wieder da', shipsOn: 'Versand ab {date}' });
    expect(viewOf(answer({ status: 'out_of_stock', expectedDate: null }), texts, format).headline).toBe(
      'Bald wieder da',
    );
    expect(viewOf(answer({}), texts, format).details).toEqual(['Versand ab March 14']);
  });
});

describe('texts', () => {
  it('every language has every text, with the same placeholders as English', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [language, texts] of Object.entries(LANGUAGES)) {
      expect(Object.keys(texts).sort(), language).toEqual([...TEXT_KEYS].sort());
      for (const key of TEXT_KEYS) {
        expect(texts[key].trim(), `${language}.${key}`).not.toBe('');
        expect(placeholders(texts[key]), `${language}.${key}`).toEqual(placeholders(LANGUAGES.en![key]));
      }
    }
  });

  it('fill leaves unknown placeholders as they are', () => {
    expect(fill('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
