import { describe, expect, it } from 'vitest';
import { inboxBatches } from './connectors.inbox.ts';

const events = (storeId: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${storeId}-${i}`, storeId }));

describe('inboxBatches', () => {
  it('groups due events by store, in order, at most the engine’s batch size each', () => {
    const due = [
      ...events('a', 260),
      ...events('b', 3),
      ...events('a', 1).map((e) => ({ ...e, id: 'a-last' })),
    ];
    const onPostgres = inboxBatches({ engine: 'postgres' }, due);
    expect(onPostgres.map((b) => [b.storeId, b.eventIds.length])).toEqual([
      ['a', 250],
      ['a', 11],
      ['b', 3],
    ]);
    expect(onPostgres[1]!.eventIds.at(-1)).toBe('a-last');
    expect(inboxBatches({ engine: 'pglite' }, due).map((b) => b.eventIds.length)).toEqual([100, 100, 61, 3]);
    expect(inboxBatches({ engine: 'pglite' }, [])).toEqual([]);
  });
});
