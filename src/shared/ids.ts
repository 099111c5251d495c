import { randomFillSync } from 'node:crypto';

/**
 * Opaque prefixed ids (`ord_…`). The body is 26 Crockford base-32 characters: 48 bits of
 * milliseconds then 80 random bits, so ids sort roughly by creation and index well.
 */
export type IdPrefix =
  | 'sto'
  | 'key'
  | 'ord'
  | 'line'
  | 'shp'
  | 'adj'
  | 'mov'
  | 'evt'
  | 'sup'
  | 'po'
  | 'pol'
  | 'pdc'
  | 'rcp'
  | 'pay'
  | 'pat'
  | 'msg'
  | 'mat'
  | 'whe'
  | 'sta'
  | 'inc'
  | 'stf'
  | 'ses'
  | 'sit'
  | 'aud'
  | 'con'
  | 'cev';

export interface IdGenerator {
  next(prefix: IdPrefix): string;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const POOL_SIZE = 4096;

export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  const pool = Buffer.alloc(POOL_SIZE);
  let offset = POOL_SIZE;
  const random = (): number => {
    if (offset >= POOL_SIZE) {
      randomFillSync(pool);
      offset = 0;
    }
    return pool[offset++]! & 31;
  };
  return {
    next(prefix) {
      let time = now();
      let body = '';
      for (let i = 0; i < 10; i++) {
        body = ALPHABET[time % 32] + body;
        time = Math.floor(time / 32);
      }
      for (let i = 0; i < 16; i++) body += ALPHABET[random()];
      return `${prefix}_${body}`;
    },
  };
}

/**
 * What a shopper is shown as an order's number: the store's own id for it (`externalId`), else a
 * short form of the id (the last 10 of its random characters, as "K7Q2M-9XDAB": 50 random bits,
 * so two of a store's orders practically never share one): internal ids (`ord_…`) never appear in
 * messages or on shopper pages.
 */
export function orderNumber(order: { id: string; externalId: string | null }): string {
  if (order.externalId) return order.externalId;
  const tail = order.id.slice(-10).toUpperCase();
  return `${tail.slice(0, 5)}-${tail.slice(5)}`;
}
