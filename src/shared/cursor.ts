import { invalid } from './errors.ts';

/**
 * Opaque, stateless list cursors: the position (a sequence number) encoded in base64url, so a
 * cursor from one process works on any other.
 */
export function encodeCursor(position: number): string {
  return Buffer.from(`v1:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^v1:(\d{1,15})$/.exec(text);
  if (!match)
    throw invalid('invalid_cursor', 'The cursor is not one this API returned', [
      { path: '/cursor', message: 'invalid cursor' },
    ]);
  return Number(match[1]);
}

/** Cursors over a text key (such as a SKU), for lists ordered by that key. */
export function encodeKeyCursor(key: string): string {
  return Buffer.from(`k1:${key}`).toString('base64url');
}

export function decodeKeyCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('k1:')) {
    throw invalid('invalid_cursor', 'The cursor is not one this API returned', [
      { path: '/cursor', message: 'invalid cursor' },
    ]);
  }
  return text.slice(3);
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  position: (row: R) => number | string,
  view: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  if (!more || last === undefined) return { data: kept.map(view), nextCursor: null };
  const at = position(last);
  return {
    data: kept.map(view),
    nextCursor: typeof at === 'number' ? encodeCursor(at) : encodeKeyCursor(at),
  };
}
