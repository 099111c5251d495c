/** IP address text, read the same way by the outbound guard (outbound.ts) and the rate limiter. */
import { isIP } from 'node:net';

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part counts as two), or null. */
export function ipv6Groups(address: string): number[] | null {
  let text = address.replace(/%.*$/, ''); // a zone (fe80::1%eth0) names an interface, not an address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return null;
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const front = part(head);
  const back = part(tail);
  const missing = 8 - front.length - back.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...front, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...back];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** The IPv4 address held by two 16-bit groups. */
export const ipv4Of = (high: number, low: number): string =>
  `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

/**
 * Whose requests count together against a public rate limit: an IPv4 address is one client, and so
 * is an IPv4 address written as IPv6 (::ffff:a.b.c.d, as a dual-stack socket reports it); an IPv6
 * client is its /64, the network one home or device is given, whose 2^64 addresses it may use in
 * turn (privacy addresses) — counted one by one, each would have a limit of its own.
 */
export function rateLimitClient(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  if (!g) return ip;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return ipv4Of(g[6]!, g[7]!);
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}
