/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by line breaks, a field holding a
 * comma, a quote or a line break enclosed in double quotes, with a quote inside written twice.
 * The parser also takes what spreadsheets produce in practice: LF or CR line breaks as well as
 * CRLF, a UTF-8 byte order mark, and a missing final line break.
 */

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** 1-based line of the file where the problem is. */
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts (records may span lines inside quotes). */
  line: number;
  /** 1-based record number, blank lines included: the row a spreadsheet shows it on. */
  row: number;
}

/**
 * Splits CSV text into records. Blank lines are skipped (they still count as rows, as in a
 * spreadsheet). A quote inside an unquoted field, text after a closing quote, or a quoted field
 * left open is a `CsvSyntaxError` naming the line.
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let row = 0;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const start = line;
    row += 1;
    const fields: string[] = [];
    let quotedAny = false;
    for (;;) {
      let field = '';
      if (input[i] === '"') {
        quotedAny = true;
        const opened = line;
        i += 1;
        for (;;) {
          const quote = input.indexOf('"', i);
          if (quote < 0) throw new CsvSyntaxError('a quoted field is never closed', opened);
          // Line breaks inside quotes are part of the field, kept as they came; count them.
          const chunk = input.slice(i, quote);
          line += countLineBreaks(chunk);
          field += chunk;
          if (input[quote + 1] === '"') {
            field += '"';
            i = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        const next = input[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw new CsvSyntaxError('a closing quote must be followed by a comma or a line break', line);
        }
      } else {
        let end = i;
        while (end < n) {
          const c = input[end]!;
          if (c === ',' || c === '\r' || c === '\n') break;
          if (c === '"') {
            throw new CsvSyntaxError('a field holding a quote must be enclosed in quotes', line);
          }
          end += 1;
        }
        field = input.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (input[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    // At a line break (or the end): consume it.
    if (input[i] === '\r') i += input[i + 1] === '\n' ? 2 : 1;
    else if (input[i] === '\n') i += 1;
    const blank = fields.length === 1 && fields[0] === '' && !quotedAny;
    if (!blank) records.push({ fields, line: start, row });
    line += 1;
  }
  return records;
}

/** CRLF, LF and a lone CR each end one line. */
function countLineBreaks(text: string): number {
  let count = 0;
  for (let k = 0; k < text.length; k++) {
    if (text[k] === '\n' || (text[k] === '\r' && text[k + 1] !== '\n')) count += 1;
  }
  return count;
}

/** One field quoted as RFC 4180 asks: only when it holds a quote, a comma or a line break. */
export function quoteCsv(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field of a file meant for spreadsheets: empty for null, quoted when needed, and a text
 * starting like a formula (= + - @, tab, CR) prefixed with a single quote, so that opening an
 * export never runs a formula a customer typed into their name.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return quoteCsv(text);
}

/** One record with its CRLF line end. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
