import { describe, expect, it } from 'vitest';
import { applyMergePatch, type Json } from './merge-patch.ts';

describe('applyMergePatch (RFC 7396)', () => {
  // The examples of RFC 7396, appendix A.
  const examples: [target: Json, patch: Json, result: Json][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(examples)('%j patched with %j is %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('leaves the target untouched', () => {
    const target: Json = { backorder: { mode: 'backorder', message: 'soon' }, tags: ['a'] };
    const copy = structuredClone(target);
    applyMergePatch(target, { backorder: { message: null }, tags: ['b'] });
    expect(target).toEqual(copy);
  });

  it('keeps a member named __proto__ a plain member', () => {
    const patch = JSON.parse('{"attributes":{"__proto__":{"polluted":"yes"}}}') as Json;
    const result = applyMergePatch({ attributes: { color: 'red' } }, patch) as Record<string, Json>;
    const attributes = result.attributes as Record<string, Json>;
    expect(Object.keys(attributes)).toEqual(['color', '__proto__']);
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
