import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvField, csvRow, parseCsv, quoteCsv } from './csv.ts';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits records and fields; the final line break is optional', () => {
    expect(fields('a,b,c\r\n1,2,3\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a,b,c\r\n1,2,3')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('takes LF and lone CR line breaks as well as CRLF', () => {
    expect(fields('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('drops a UTF-8 byte order mark', () => {
    expect(fields('\uFEFFsku,quantity\r\nA,1\r\n')).toEqual([
      ['sku', 'quantity'],
      ['A', '1'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields('a,,c\r\n,,\r\nx,\r\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
      ['x', ''],
    ]);
  });

  it('reads quoted fields: commas, doubled quotes, line breaks kept as written', () => {
    expect(fields('"Doe, Jane","say ""hi""","two\r\nlines","one\nmore",""\r\n')).toEqual([
      ['Doe, Jane', 'say "hi"', 'two\r\nlines', 'one\nmore', ''],
    ]);
    expect(fields('"""quoted"""')).toEqual([['"quoted"']]);
  });

  it('skips blank lines but counts them as rows; lines follow line breaks inside quotes', () => {
    const records = parseCsv('h1,h2\r\n\r\n"a\nb",c\r\nd,e\r\n');
    expect(records).toEqual([
      { fields: ['h1', 'h2'], line: 1, row: 1 },
      { fields: ['a\nb', 'c'], line: 3, row: 3 },
      { fields: ['d', 'e'], line: 5, row: 4 },
    ]);
    // A quoted empty field is a record, not a blank line.
    expect(fields('h\r\n""\r\n')).toEqual([['h'], ['']]);
  });

  it('refuses what RFC 4180 does not allow, naming the line', () => {
    const error = (text: string) => {
      try {
        parseCsv(text);
      } catch (e) {
        return e;
      }
      return null;
    };
    const open = error('a,b\r\n1,"never\r\nclosed\r\n');
    expect(open).toBeInstanceOf(CsvSyntaxError);
    expect((open as CsvSyntaxError).line).toBe(2);
    expect((open as CsvSyntaxError).message).toMatch(/never closed/);
    const bare = error('a,b\r\n1,2\r\n5" screen,3\r\n');
    expect((bare as CsvSyntaxError).line).toBe(3);
    expect((bare as CsvSyntaxError).message).toMatch(/enclosed in quotes/);
    const after = error('"a"b,c\n');
    expect((after as CsvSyntaxError).line).toBe(1);
    expect((after as CsvSyntaxError).message).toMatch(/closing quote/);
  });

  it('reads back whatever quoteCsv wrote (random tables)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\r', '\n', ' ', 'é', '\uFEFF') });
    const record = fc
      .array(text, { minLength: 1, maxLength: 5 })
      // A record of one empty field is a blank line, which the parser skips.
      .filter((r) => !(r.length === 1 && r[0] === ''));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), fc.constantFrom('\r\n', '\n'), (rows, eol) => {
        // A leading BOM would be taken as the file's byte order mark: start with a plain field.
        const table = rows.map((r) => ['x', ...r]);
        const written = table.map((r) => r.map(quoteCsv).join(',')).join(eol);
        expect(fields(written)).toEqual(table);
      }),
    );
  });
});

describe('writing', () => {
  it('quotes only fields that need it', () => {
    expect(quoteCsv('plain')).toBe('plain');
    expect(quoteCsv('Doe, Jane')).toBe('"Doe, Jane"');
    expect(quoteCsv('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsv('two\r\nlines')).toBe('"two\r\nlines"');
  });

  it('writes null as an empty field, numbers as they are, and defuses spreadsheet formulas', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(-12)).toBe('-12');
    expect(csvField(true)).toBe('true');
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('ends every row with CRLF', () => {
    expect(csvRow(['sku', 'quantity', null])).toBe('sku,quantity,\r\n');
  });
});
