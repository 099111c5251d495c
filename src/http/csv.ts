/**
 * CSV request bodies: a `text/csv` upload with a header row becomes the JSON body the route
 * validates anyway (one item per row), so CSV and JSON share one schema, one use case and one
 * idempotency hash. Errors about an item then name its row as a spreadsheet shows it (the header
 * is row 1): `/adjustments/2/quantity` becomes `/rows/4/quantity`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type CsvRecord, CsvSyntaxError, parseCsv } from '../shared/csv.ts';
import { DomainError, type FieldError } from '../shared/errors.ts';
import type { Problem } from './problem.ts';

/** How a column's text becomes a JSON value. An empty cell is always left out. */
export type CsvColumnKind =
  /** The text as it is. */
  | 'text'
  /** A whole number when the text is one; other text is kept (e.g. `auto`) for the schema to judge. */
  | 'integer'
  /** A decimal number when the text is one; other text is kept for the schema to judge. */
  | 'number'
  /** Comma-separated values, each trimmed (tags: `vegan, running-shoes`). */
  | 'list';

export interface CsvBody {
  /** Member of the JSON body that holds one item per row (`adjustments`, `variants`). */
  listField: string;
  /**
   * Column name → kind. A dotted name is a nested field (`backorder.mode`); a name ending in `.*`
   * admits any name below it (`attributes.*`: `attributes.color`, `attributes.size`).
   */
  columns: Record<string, CsvColumnKind>;
  /** Columns the header must have. */
  required: readonly string[];
  /** A small file, for the OpenAPI document. */
  example?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body may also be sent as `text/csv`, with a header row: how the rows become the JSON body. */
    csvBody?: CsvBody;
  }
  interface FastifyRequest {
    /** Set when the body came as CSV: the row number of each item, for error paths. */
    csvSource: { listField: string; rows: number[]; lists: ReadonlySet<string> } | null;
  }
}

/** What the `text/csv` parser hands on: records, turned into the JSON body before validation. */
export class CsvUpload {
  constructor(readonly records: CsvRecord[]) {}
}

export function registerCsvBodies(app: FastifyInstance): void {
  app.decorateRequest('csvSource', null);
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    // PostgreSQL cannot store NUL (decoded UTF-8 never holds a lone surrogate): refuse it up front.
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      const line = text.slice(0, nul).split(/\r\n|\r|\n/).length;
      done(
        Object.assign(new Error(`The request body is not valid CSV: line ${line} holds the NUL character`), {
          statusCode: 400,
          code: 'MALFORMED_CSV',
        }),
        undefined,
      );
      return;
    }
    try {
      done(null, new CsvUpload(parseCsv(text)));
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      done(
        Object.assign(new Error(`The request body is not valid CSV (RFC 4180): ${error.message}`), {
          statusCode: 400,
          code: 'MALFORMED_CSV',
        }),
        undefined,
      );
    }
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!(request.body instanceof CsvUpload)) return;
    const spec = request.routeOptions.config.csvBody;
    // preParsing refuses text/csv on routes without csvBody (see registerMediaTypeCheck).
    if (!spec) throw new Error('text/csv body on a route that takes none');
    const { body, rows } = csvToBody(request.body.records, spec);
    request.body = body;
    request.csvSource = { listField: spec.listField, rows, lists: listColumns(spec) };
  });
}

const listColumns = (spec: CsvBody) =>
  new Set(Object.entries(spec.columns).flatMap(([name, kind]) => (kind === 'list' ? [name] : [])));

const refusal = (message: string, errors: FieldError[]) =>
  new DomainError('validation', 'validation_failed', message, {}, errors);

/** The JSON body of a CSV upload, and the row number of each item. */
export function csvToBody(
  records: readonly CsvRecord[],
  spec: CsvBody,
): { body: Record<string, unknown>; rows: number[] } {
  const [header, ...data] = records;
  if (!header) {
    throw refusal('The CSV has no header row', [
      { path: '/rows', message: `start with a header row naming the columns (${spec.required.join(',')})` },
    ]);
  }
  const names = header.fields.map((name) => name.trim());
  const problems: FieldError[] = [];
  const known = Object.keys(spec.columns);
  names.forEach((name, i) => {
    if (kindOf(spec, name) === undefined) {
      problems.push({
        path: `/rows/${header.row}/${name}`,
        message: `is not a known column (columns: ${known.join(', ')})`,
      });
    } else if (names.indexOf(name) !== i) {
      problems.push({ path: `/rows/${header.row}/${name}`, message: 'is named twice' });
    }
  });
  for (const name of spec.required) {
    if (!names.includes(name)) {
      problems.push({ path: `/rows/${header.row}`, message: `has no "${name}" column` });
    }
  }
  if (problems.length > 0) throw refusal(`The CSV header is not valid: ${describe(problems[0]!)}`, problems);

  // A nested column makes its object present in every row, so a missing field inside it is named
  // by its own column (backorder.mode) rather than by its parent.
  const parents = [
    ...new Set(names.filter((n) => n.includes('.')).map((n) => n.slice(0, n.lastIndexOf('.')))),
  ];
  const items: Record<string, unknown>[] = [];
  for (const record of data) {
    if (record.fields.length !== names.length) {
      problems.push({
        path: `/rows/${record.row}`,
        message: `has ${record.fields.length} fields; the header has ${names.length}${lineNote(record)}`,
      });
      continue;
    }
    const item: Record<string, unknown> = {};
    for (const parent of parents) objectAt(item, parent.split('.'));
    names.forEach((name, i) => {
      const cell = record.fields[i]!;
      if (cell === '') return;
      const path = name.split('.');
      setMember(
        objectAt(item, path.slice(0, -1)),
        path[path.length - 1]!,
        cellValue(kindOf(spec, name)!, cell),
      );
    });
    items.push(item);
  }
  if (problems.length > 0) throw refusal(`The CSV is not valid: ${describe(problems[0]!)}`, problems);
  return { body: { [spec.listField]: items }, rows: data.map((r) => r.row) };
}

function kindOf(spec: CsvBody, name: string): CsvColumnKind | undefined {
  if (name === '') return undefined;
  const exact = spec.columns[name];
  if (exact !== undefined) return exact;
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? spec.columns[`${name.slice(0, dot)}.*`] : undefined;
}

/** Sets an own member: a column named `attributes.__proto__` is an attribute, not a prototype. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The object at `path` below `root`, created where missing (own members only). */
function objectAt(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let at = root;
  for (const key of path) {
    if (!Object.hasOwn(at, key)) setMember(at, key, {});
    at = at[key] as Record<string, unknown>;
  }
  return at;
}

function cellValue(kind: CsvColumnKind, cell: string): unknown {
  const text = cell.trim();
  switch (kind) {
    case 'text':
      return cell;
    case 'integer':
      return /^-?\d{1,15}$/.test(text) ? Number(text) : cell;
    case 'number':
      return /^-?\d{1,15}(\.\d+)?$/.test(text) ? Number(text) : cell;
    case 'list':
      return text
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
  }
}

const lineNote = (record: CsvRecord) =>
  record.line === record.row ? '' : ` (line ${record.line} of the file)`;
const describe = (error: FieldError) => `${error.path} ${error.message}`;

/**
 * A problem about a CSV upload, with the items' JSON paths (`/variants/0/backorder/limit`) turned
 * into rows and columns (`/rows/2/backorder.limit`), in `errors` and in `detail`.
 */
export function csvProblem(problem: Problem, source: NonNullable<FastifyRequest['csvSource']>): Problem {
  const pattern = new RegExp(`/${source.listField}(?:/(\\d+)((?:/[^\\s/]+)*))?(?=$|[\\s:,;)])`, 'g');
  const rename = (text: string) =>
    text.replace(pattern, (whole, index: string | undefined, rest: string | undefined) => {
      if (index === undefined) return '/rows';
      const row = source.rows[Number(index)];
      if (row === undefined) return whole;
      const segments = (rest ?? '').split('/').filter((s) => s !== '');
      // A list column is one cell: /variants/0/tags/2 is the tags column.
      const list = segments.findIndex((_, i) => source.lists.has(segments.slice(0, i + 1).join('.')));
      const column = (list >= 0 ? segments.slice(0, list + 1) : segments).join('.');
      return column === '' ? `/rows/${row}` : `/rows/${row}/${column}`;
    });
  return {
    ...problem,
    detail: rename(problem.detail),
    ...(problem.errors ? { errors: problem.errors.map((e) => ({ ...e, path: rename(e.path) })) } : {}),
  };
}
