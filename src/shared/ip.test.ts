import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv6Groups, rateLimitClient } from './ip.ts';

const hex = (groups: readonly number[]) => groups.map((g) => g.toString(16)).join(':');

describe('ipv6Groups', () => {
  it('expands the short forms, a trailing IPv4 part and a zone', () => {
    expect(ipv6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('2001:db8::8:800:200c:417a')).toEqual([0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a]);
    expect(ipv6Groups('::ffff:192.0.2.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201]);
    expect(ipv6Groups('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('1::2::3')).toBeNull();
    expect(ipv6Groups('1:2:3')).toBeNull();
  });
});

describe('rateLimitClient', () => {
  it('keeps IPv4 addresses, unwraps mapped ones and takes the /64 of IPv6 ones', () => {
    expect(rateLimitClient('203.0.113.9')).toBe('203.0.113.9');
    expect(rateLimitClient('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(rateLimitClient('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitClient('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(rateLimitClient('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  });

  it('puts two IPv6 addresses in one bucket exactly when their first 64 bits agree', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const address = fc.array(group, { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(address, address, (a, b) => {
        // Mapped IPv4 addresses are judged as IPv4 (above); leave them out here.
        fc.pre(!(a.slice(0, 5).every((x) => x === 0) && a[5] === 0xffff));
        fc.pre(!(b.slice(0, 5).every((x) => x === 0) && b[5] === 0xffff));
        const same = a.slice(0, 4).every((x, i) => x === b[i]);
        expect(rateLimitClient(hex(a)) === rateLimitClient(hex(b))).toBe(same);
        expect(rateLimitClient(hex(a))).toBe(rateLimitClient(hex([...a.slice(0, 4), ...b.slice(4)])));
      }),
    );
  });
});
