import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitSms, smsSegments, toGsm } from './messages.sms.ts';

const LINK = 'https://orders.example.com/s/Ab3dE6gH9kLmNo';

describe('smsSegments', () => {
  it('counts GSM text in 160 characters, then 153 a segment', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    // Extension characters take two septets.
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
  });

  it('counts anything else as UCS-2: 70 characters, then 67', () => {
    expect(smsSegments('—'.repeat(70))).toBe(1);
    expect(smsSegments(`${'a'.repeat(70)}—`)).toBe(2);
    expect(smsSegments('—'.repeat(134))).toBe(2);
    expect(smsSegments('—'.repeat(135))).toBe(3);
  });
});

describe('toGsm', () => {
  it('writes typographic characters in GSM and keeps the letters GSM has', () => {
    expect(toGsm('Trail Jacket — Red / M, 2 × “best”… it’s')).toBe(
      'Trail Jacket - Red / M, 2 x "best"... it\'s',
    );
    expect(toGsm('Café Müller, Ærø, Ñandú')).toBe('Café Müller, Ærø, Ñandu');
    expect(toGsm('Łódź Señora Ångström')).toBe('Lodz Señora Ångström');
    expect(toGsm('東京')).toBe('東京');
  });
});

describe('fitSms', () => {
  it('leaves a message that fits as it is (after GSM spelling)', () => {
    expect(fitSms(`Shop: order 1842 confirmed. Order: ${LINK}`)).toBe(
      `Shop: order 1842 confirmed. Order: ${LINK}`,
    );
  });

  it('shortens the text, never a link, until two segments hold it', () => {
    const long =
      `Corner Shop: sorry, ${'Very long product title '.repeat(10)}(order 1842) is delayed, now ships by Mar 24 (was Mar 10). ` +
      `Keep: ${LINK} Switch: ${LINK.replace('Ab', 'Cd')} Cancel: ${LINK.replace('Ab', 'Ef')}`;
    const fitted = fitSms(long);
    expect(smsSegments(fitted)).toBeLessThanOrEqual(2);
    expect(fitted).toContain(
      `Keep: ${LINK} Switch: ${LINK.replace('Ab', 'Cd')} Cancel: ${LINK.replace('Ab', 'Ef')}`,
    );
    expect(fitted).toMatch(/^Corner Shop: sorry, Very long product title .*\.\.\./);
  });

  it('fits text outside the GSM alphabet into two UCS-2 segments', () => {
    const fitted = fitSms(`東京ストア: ${'ご注文の商品は遅れています。'.repeat(12)} ${LINK}`);
    expect(smsSegments(fitted)).toBe(2);
    expect(fitted.endsWith(LINK)).toBe(true);
  });

  it('holds for any text around a few links', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 200, unit: 'grapheme' }), { minLength: 1, maxLength: 4 }),
        (texts) => {
          const links = texts.slice(1).map((_, i) => `${LINK}${i}`);
          const body = texts.map((t, i) => (i < links.length ? `${t} ${links[i]} ` : t)).join('');
          const fitted = fitSms(body);
          expect(smsSegments(fitted)).toBeLessThanOrEqual(2);
          for (const link of links) expect(fitted).toContain(link);
        },
      ),
      { numRuns: 300 },
    );
  });
});
