/**
 * Requests Backfill sends to addresses a store chose (webhook endpoints, the SMS API's base URL)
 * must not reach the server's own network: loopback, private and link-local ranges, the cloud
 * metadata service (169.254.169.254, fd00:ec2::254), and the like. A URL is checked when it is
 * saved (its host as written, and what its name resolves to then) and again on every delivery,
 * where the address is checked after DNS resolution and is the very address connected to, so a
 * name that resolved to a public address at save time and to a private one later (DNS rebinding)
 * is refused too. Redirects are never followed. Operators who run receivers on their own network
 * set BACKFILL_ALLOW_PRIVATE_URLS=true (the tests do, for their loopback receivers).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { invalid } from './errors.ts';
import { ipv4Of, ipv6Groups } from './ip.ts';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (fd00:ec2::254 is AWS's metadata service)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** A URL's hostname without the brackets of an IPv6 literal. */
export const bareHost = (hostname: string): string => hostname.replace(/^\[|\]$/g, '');

/** Names that mean this machine or the cloud's metadata service, whatever DNS says. */
const BLOCKED_NAMES = /^(localhost|metadata|metadata\.google\.internal|instance-data)$|\.localhost$/i;

/**
 * True for an address Backfill must not send a store's requests to. IPv6 forms that carry an IPv4
 * address are judged by that address: mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d), the
 * well-known NAT64 prefix (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::); the deprecated
 * IPv4-compatible form (::a.b.c.d) and local-use NAT64 (64:ff9b:1::/48) are refused outright.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = bareHost(address);
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family !== 6) return true; // not an address at all: never connect to it
  const g = ipv6Groups(bare);
  if (!g) return true;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return blocked.check(ipv4Of(g[6]!, g[7]!), 'ipv4'); // mapped
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return blocked.check(ipv4Of(g[6]!, g[7]!), 'ipv4'); // translated
  if (zeros(0, 6)) return true; // ::, ::1 and IPv4-compatible addresses
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return blocked.check(ipv4Of(g[6]!, g[7]!), 'ipv4');
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return true; // local-use NAT64
  if (g[0] === 0x2002) return blocked.check(ipv4Of(g[1]!, g[2]!), 'ipv4'); // 6to4
  return blocked.check(g.map((x) => x.toString(16)).join(':'), 'ipv6');
}

export interface OutboundPolicy {
  /** BACKFILL_ALLOW_PRIVATE_URLS: receivers on private networks are allowed. */
  allowPrivate: boolean;
  /** How names resolve (tests stand in for DNS); the system resolver by default. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const systemResolve = (hostname: string) => lookup(hostname, { all: true, verbatim: true });

/**
 * Why `host` as written (brackets of an IPv6 literal removed) may not be reached, before any lookup:
 * a private or local literal address, or a name for this machine or a metadata service. Null otherwise.
 */
function hostAsWrittenReason(host: string): string | null {
  if (isIP(host)) return isPrivateAddress(host) ? `${host} is a private or local address` : null;
  return BLOCKED_NAMES.test(host) ? `${host} names this machine or a metadata service` : null;
}

/** Why none of `list` (what `hostname` resolved to) may be connected to, or null: one is private, or there is none. */
function resolvedReason(
  hostname: string,
  list: readonly LookupAddress[],
  allowPrivate: boolean,
): string | null {
  const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
  if (!bad && list.length > 0) return null;
  return `${hostname} resolves to ${bad?.address ?? 'nothing'}, a private or local address: refused`;
}

/** Refuses (OutboundRefused) a host that may not be reached as written, before any lookup. */
function refuseHostAsWritten(hostname: string, policy: OutboundPolicy): void {
  const written = policy.allowPrivate ? null : hostAsWrittenReason(bareHost(hostname));
  if (written !== null) throw new OutboundRefused(`${written}: refused`);
}

/**
 * How to send a request to `target` under `policy`, for node:http clients: the host as written is
 * checked first (OutboundRefused), and the lookup given checks every address the name resolves to;
 * with private addresses allowed and no stand-in resolver, the system's lookup.
 */
export function outboundRoute(
  target: URL,
  policy: OutboundPolicy,
): { send: typeof httpRequest; lookup?: LookupFunction } {
  refuseHostAsWritten(target.hostname, policy);
  return {
    send: target.protocol === 'https:' ? httpsRequest : httpRequest,
    ...(policy.allowPrivate && !policy.resolve ? {} : { lookup: checkedLookup(policy) }),
  };
}

/** A socket's error as the caller sees it: a private address found by the lookup is an OutboundRefused. */
export const outboundError = (error: Error & { code?: string }): Error =>
  error.code === 'EPRIVATEADDRESS' ? new OutboundRefused(error.message) : error;

/**
 * Why a URL may not be saved as a store's receiver, or null when it may: its host is a private
 * address or a name for one, or resolves to one now. A name that does not resolve yet is accepted
 * (deliveries check it again once it does).
 */
export async function privateUrlReason(url: string, policy: OutboundPolicy): Promise<string | null> {
  if (policy.allowPrivate) return null;
  let host: string;
  try {
    host = bareHost(new URL(url).hostname);
  } catch {
    return null; // the caller's own check reports a malformed URL
  }
  const written = hostAsWrittenReason(host);
  if (written !== null || isIP(host)) return written;
  let addresses: LookupAddress[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch {
    return null;
  }
  const found = addresses.find((a) => isPrivateAddress(a.address));
  return found ? `${host} resolves to ${found.address}, a private or local address` : null;
}

/**
 * Refuses (422 `validation_failed`) a receiver URL carrying `user:password@`: a secret in a URL
 * would be shown wherever the URL is (settings, logs); each channel has its own secret fields.
 */
export function refuseUrlCredentials(url: string, path: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // the caller's own check reports a malformed URL
  }
  if (parsed.username || parsed.password)
    throw invalid('validation_failed', `${path.slice(1)} may not carry credentials (user:password@)`, [
      { path, message: 'remove user:password@' },
    ]);
}

/** Refuses (422 `url_not_allowed`, naming the field) a receiver URL on a private network. */
export async function assertPublicUrl(url: string, policy: OutboundPolicy, path: string): Promise<void> {
  const reason = await privateUrlReason(url, policy);
  if (reason === null) return;
  throw invalid(
    'url_not_allowed',
    `${url} is not allowed: ${reason} (the operator may allow private networks with BACKFILL_ALLOW_PRIVATE_URLS=true)`,
    [{ path, message: 'must reach a public address' }],
  );
}

/**
 * The address to connect to for `hostname` under `policy`, for clients that resolve names
 * themselves (nodemailer): connecting to this address rather than the name keeps a later answer
 * (DNS rebinding) out. Rejects with OutboundRefused for a private address or a name for one.
 */
export async function publicAddressOf(hostname: string, policy: OutboundPolicy): Promise<string> {
  const host = bareHost(hostname);
  refuseHostAsWritten(host, policy);
  if (isIP(host)) return host;
  const list = await (policy.resolve ?? systemResolve)(host);
  const reason = resolvedReason(host, list, policy.allowPrivate);
  if (reason !== null) throw new OutboundRefused(reason);
  return list[0]!.address;
}

/** A DNS lookup for sockets that, unless the policy allows them, refuses private addresses. */
const checkedLookup =
  ({ allowPrivate, resolve }: OutboundPolicy): LookupFunction =>
  (hostname, options, callback) => {
    const answer = (error: Error | null, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const list = addresses;
      const reason = resolvedReason(hostname, list, allowPrivate);
      if (reason !== null)
        return callback(Object.assign(new Error(reason), { code: 'EPRIVATEADDRESS' }), '', 0);
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    };
    if (resolve)
      resolve(hostname).then(
        (list) => answer(null, list),
        (error) => answer(error, []),
      );
    else dnsLookup(hostname, { ...options, all: true }, (error, list) => answer(error, list ?? []));
  };

/** How much of a receiver's answer is read, and how much of it is kept. */
const READ_LIMIT_BYTES = 4096;
export const EXCERPT_CHARS = 200;

export interface OutboundAnswer {
  status: number;
  /** The start of the answer's body, at most EXCERPT_CHARS characters. */
  excerpt: string;
}

export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

/**
 * POSTs `body` to `url` under `policy`: the address connected to is checked after resolution (a
 * literal address before connecting), redirects are not followed, and only the start of the
 * answer is read. Rejects with OutboundRefused for a private address, with the socket's error
 * otherwise, and with a TimeoutError after `timeoutMs`.
 */
export function postOutbound(
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
  policy: OutboundPolicy,
): Promise<OutboundAnswer> {
  const target = new URL(url);
  let route: ReturnType<typeof outboundRoute>;
  try {
    route = outboundRoute(target, policy);
  } catch (error) {
    return Promise.reject(error);
  }
  const { send, lookup } = route;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
        ...(lookup ? { lookup } : {}),
        signal: AbortSignal.timeout(init.timeoutMs),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
          resolve({ status: response.statusCode ?? 0, excerpt });
        };
        response.on('data', (chunk: Buffer) => {
          if (size >= READ_LIMIT_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
          // Enough read: the rest of an answer is of no use to anyone.
          if (size >= READ_LIMIT_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on('end', finish);
        response.on('error', (error) => (size >= READ_LIMIT_BYTES ? undefined : reject(error)));
      },
    );
    request.on('error', (error: Error) => {
      if (error.name === 'AbortError')
        reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
      else reject(outboundError(error));
    });
    request.end(init.body);
  });
}
