/**
 * Lists as CSV (`?format=csv`): the same rows as the JSON pages, one per line, with a header of
 * the JSON field names (nested ones dotted: `customer.email`). Without `limit` the file holds
 * every matching row, read page by page while it is written (a spreadsheet export); with `limit`
 * it is one page, and the next page's cursor comes in `X-Next-Cursor` and a `Link: rel="next"`.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { type CsvValue, csvRow } from '../shared/csv.ts';
import type { Page } from '../shared/cursor.ts';

export interface CsvColumn<T> {
  name: string;
  value: (item: T) => CsvValue;
}

/** Rows per query while an export without `limit` is written. */
const EXPORT_PAGE = 500;

export const FormatQuery = {
  format: Type.Optional(
    Type.Enum(['json', 'csv'], {
      default: 'json',
      description:
        '`csv`: text/csv with a header row. Without `limit`, every matching row (from `cursor`, if ' +
        'given); with `limit`, one page, the next cursor in `X-Next-Cursor` and `Link: <…>; rel="next"`',
    }),
  ),
};

/** The 200 response of a list that also answers CSV, for the OpenAPI document. */
export function listOrCsv(page: TSchema, columns: readonly CsvColumn<never>[]): TSchema {
  return {
    description: 'A page of the list (JSON), or the rows as CSV (`format=csv`)',
    headers: {
      'X-Next-Cursor': Type.String({
        description: 'CSV with `limit`: the cursor of the next page (absent on the last page)',
      }),
      Link: Type.String({
        description: 'CSV with `limit`: `<url>; rel="next"`, the next page (absent on the last page)',
      }),
    },
    content: {
      'application/json': { schema: page },
      'text/csv': {
        schema: { type: 'string', description: `Header: ${columns.map((c) => c.name).join(',')}` },
      },
    },
  } as unknown as TSchema;
}

/** Whether the query string names `name` itself (a default filled in by the schema does not count). */
function queryNames(request: FastifyRequest, name: string): boolean {
  const at = request.url.indexOf('?');
  return at >= 0 && new URLSearchParams(request.url.slice(at + 1)).has(name);
}

export async function sendCsvList<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    filename: string;
    columns: readonly CsvColumn<T>[];
    query: { limit: number; cursor?: string };
    page: (limit: number, cursor: string | undefined) => Promise<Page<T>>;
  },
): Promise<FastifyReply> {
  const { columns, page } = options;
  const header = csvRow(columns.map((c) => c.name));
  const rows = (items: readonly T[]) =>
    items.map((item) => csvRow(columns.map((c) => c.value(item)))).join('');
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${options.filename}"`);
  if (queryNames(request, 'limit')) {
    const one = await page(options.query.limit, options.query.cursor);
    if (one.nextCursor !== null) {
      reply
        .header('x-next-cursor', one.nextCursor)
        .header('link', `<${nextUrl(request, one.nextCursor)}>; rel="next"`);
    }
    return reply.send(header + rows(one.data));
  }
  // The first page is read before anything is sent, so a bad cursor is still a 422.
  const first = await page(EXPORT_PAGE, options.query.cursor);
  async function* file(): AsyncGenerator<string> {
    yield header + rows(first.data);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const next = await page(EXPORT_PAGE, cursor);
      yield rows(next.data);
      cursor = next.nextCursor;
    }
  }
  return reply.send(Readable.from(file()));
}

/** This request's path and query with `cursor` set to the next page's. */
function nextUrl(request: FastifyRequest, cursor: string): string {
  const at = request.url.indexOf('?');
  const params = new URLSearchParams(at >= 0 ? request.url.slice(at + 1) : '');
  params.set('cursor', cursor);
  return `${at >= 0 ? request.url.slice(0, at) : request.url}?${params}`;
}
