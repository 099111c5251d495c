/**
 * A fetch-shaped request for addresses a store chose (a platform's API: the shop's domain, or the
 * `apiUrl` given when connecting), under the same rules as postOutbound (outbound.ts): the address
 * connected to is checked after DNS resolution (a literal address or a name for this machine before
 * connecting), so a name that later resolves to a private address (DNS rebinding) is refused, and
 * redirects are never followed: a 3xx is returned as it came, and the caller treats it as an error.
 * Global `fetch` does neither, and a redirect to loopback would carry the store's credentials there.
 */
import type { IncomingMessage } from 'node:http';
import { EXCERPT_CHARS, type OutboundPolicy, outboundError, outboundRoute } from './outbound.ts';

/** The most of an answer's body read: a platform's largest page is a few megabytes. */
export const ANSWER_LIMIT_BYTES = 16 * 1024 * 1024;

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export interface OutboundInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/**
 * A JSON API call (the platforms' REST APIs): `auth` headers, JSON accepted, `body` sent as JSON
 * when there is one, aborted after `timeoutMs`.
 */
export function jsonRequest(
  method: string,
  auth: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): OutboundInit {
  return {
    method,
    headers: {
      ...auth,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  };
}

/** Header names and values as the answer sent them; repeated names are joined as fetch joins them. */
function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/**
 * What an error may quote of an answer: the start of its body, or for a redirect where it leads
 * (a merchant whose apiUrl says http:// when the shop answers on https:// sees why), both short.
 */
export function answerExcerpt(response: Response, body: string): string {
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null)
    return `redirects to ${location.slice(0, EXCERPT_CHARS)} (redirects are not followed)`;
  return body.slice(0, EXCERPT_CHARS);
}

const tooLarge = () =>
  new Error(`the answer is larger than ${ANSWER_LIMIT_BYTES / (1024 * 1024)} MB: refused`);

/**
 * Sends one request to `url` under `policy` and reads the whole answer (up to ANSWER_LIMIT_BYTES).
 * Rejects with OutboundRefused for a private address, with `init.signal`'s reason once it aborts,
 * and with the socket's error otherwise.
 */
export async function fetchOutbound(
  url: string | URL,
  init: OutboundInit,
  policy: OutboundPolicy,
): Promise<Response> {
  const target = new URL(url);
  // As fetch: node:http would send them as Basic authorization, fetch refuses such a URL.
  if (target.username || target.password) throw new TypeError('a URL with credentials (user:password@)');
  const { send, lookup } = outboundRoute(target, policy);
  const { signal } = init;
  signal?.throwIfAborted();
  // fetch named itself (`node`); some hosts' firewalls refuse a request that names no client.
  const headers: Record<string, string> = { 'user-agent': 'Backfill', ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));

  return new Promise<Response>((resolve, reject) => {
    let answer: IncomingMessage | undefined;
    const fail = (error: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      answer?.destroy();
      request.destroy();
      reject(error);
    };
    const onAbort = () => fail(signal!.reason);

    const request = send(
      target,
      {
        method: init.method ?? 'GET',
        headers,
        ...(lookup ? { lookup } : {}),
      },
      (response) => {
        answer = response;
        const declared = Number(response.headers['content-length']);
        if (declared > ANSWER_LIMIT_BYTES) return fail(tooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > ANSWER_LIMIT_BYTES) return fail(tooLarge());
          chunks.push(chunk);
        });
        response.on('error', fail);
        // The server closed the connection before the end of the body: not an answer to use.
        response.on('close', () => {
          if (!response.complete) fail(new Error('the answer was cut off'));
        });
        response.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = response.statusCode ?? 0;
          try {
            const body = NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks);
            resolve(
              new Response(body, {
                status,
                statusText: response.statusMessage ?? '',
                headers: headersOf(response),
              }),
            );
          } catch (error) {
            // A status fetch cannot represent (outside 200–599) or a malformed reason phrase.
            reject(new Error(`unusable answer (status ${status}): ${(error as Error).message}`));
          }
        });
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error: Error) => fail(outboundError(error)));
    request.end(init.body);
  });
}
