import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/support/inboxes.ts';
import { ANSWER_LIMIT_BYTES, answerExcerpt, fetchOutbound } from './outbound.fetch.ts';
import { EXCERPT_CHARS, OutboundRefused } from './outbound.ts';

/** A loopback server (test/support/inboxes.ts) that records what it receives and answers with `handle`. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  const receiver = await startHttpReceiver();
  receiver.fallback = { respond: handle };
  receivers.push(receiver);
  return { port: Number(new URL(receiver.url).port), received: receiver.requests };
}

const receivers: HttpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

const allowed = { allowPrivate: true };
/** DNS rebinding: a public-looking name that resolves to loopback. */
const rebound = async () => [{ address: '127.0.0.1', family: 4 }];

describe('fetchOutbound', () => {
  it('returns a redirect as it came: the redirect target receives nothing', async () => {
    const target = await serve((_request, response) => response.end('internal'));
    const redirecting = await serve((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.1:${target.port}/internal` });
      response.end('moved');
    });
    const answer = await fetchOutbound(
      `http://127.0.0.1:${redirecting.port}/admin/api/locations.json`,
      { headers: { 'x-shopify-access-token': 'shpat_secret' } },
      allowed,
    );
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe(`http://127.0.0.1:${target.port}/internal`);
    expect(await answer.text()).toBe('moved');
    expect(redirecting.received).toHaveLength(1);
    expect(target.received).toEqual([]);
  });

  it('refuses a name that resolves to a private address, before sending anything', async () => {
    const server = await serve((_request, response) => response.end('internal'));
    await expect(
      fetchOutbound(`http://shop.example.com:${server.port}/`, {}, { allowPrivate: false, resolve: rebound }),
    ).rejects.toBeInstanceOf(OutboundRefused);
    await expect(
      fetchOutbound(`http://shop.example.com:${server.port}/`, {}, { allowPrivate: false, resolve: rebound }),
    ).rejects.toThrow(/shop\.example\.com resolves to 127\.0\.0\.1/);
    expect(server.received).toEqual([]);
  });

  it('refuses a private address or a name for this machine as written, without resolving it', async () => {
    const server = await serve((_request, response) => response.end('internal'));
    const unresolved = async () => {
      throw new Error('no lookup expected');
    };
    for (const url of [
      `http://127.0.0.1:${server.port}/`,
      `http://[::1]:${server.port}/`,
      `http://localhost:${server.port}/`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      await expect(
        fetchOutbound(url, {}, { allowPrivate: false, resolve: unresolved }),
      ).rejects.toBeInstanceOf(OutboundRefused);
    }
    expect(server.received).toEqual([]);
  });

  it('with private addresses allowed, reaches loopback and returns status, headers and body', async () => {
    const server = await serve((_request, response) => {
      response.statusCode = 201;
      response.statusMessage = 'Created';
      response.setHeader('content-type', 'application/json');
      response.setHeader('link', [
        '<https://a/?page_info=1>; rel="previous"',
        '<https://a/?page_info=2>; rel="next"',
      ]);
      response.setHeader('x-wp-totalpages', '3');
      response.end('{"ok":true}');
    });
    const answer = await fetchOutbound(
      `http://shop.example.com:${server.port}/wp-json/wc/v3/orders?page=2`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"é"}' },
      { allowPrivate: true, resolve: rebound },
    );
    expect(answer.status).toBe(201);
    expect(answer.statusText).toBe('Created');
    expect(answer.headers.get('x-wp-totalpages')).toBe('3');
    expect(answer.headers.get('link')).toBe(
      '<https://a/?page_info=1>; rel="previous", <https://a/?page_info=2>; rel="next"',
    );
    expect(await answer.json()).toEqual({ ok: true });
    expect(server.received).toEqual([
      expect.objectContaining({ method: 'POST', path: '/wp-json/wc/v3/orders?page=2', body: '{"a":"é"}' }),
    ]);
    expect(server.received[0]!.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(server.received[0]!.headers.host).toBe(`shop.example.com:${server.port}`);
  });

  it('refuses a URL with credentials, as fetch does', async () => {
    const server = await serve((_request, response) => response.end('ok'));
    await expect(fetchOutbound(`http://user:secret@127.0.0.1:${server.port}/`, {}, allowed)).rejects.toThrow(
      TypeError,
    );
    expect(server.received).toEqual([]);
  });

  it('gives a 204 a null body, and returns 4xx and 5xx answers for the caller to judge', async () => {
    const server = await serve((request, response) => {
      response.statusCode = request.url === '/none' ? 204 : 503;
      response.end(request.url === '/none' ? undefined : 'down');
    });
    const none = await fetchOutbound(`http://127.0.0.1:${server.port}/none`, {}, allowed);
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
    const down = await fetchOutbound(`http://127.0.0.1:${server.port}/down`, {}, allowed);
    expect([down.status, await down.text()]).toEqual([503, 'down']);
  });

  it('refuses an answer larger than the limit, declared or not', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const server = await serve((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-length': String(ANSWER_LIMIT_BYTES + 1) });
        response.end();
        return;
      }
      // Streamed without a length: one byte more than the limit.
      for (let sent = 0; sent < ANSWER_LIMIT_BYTES; sent += chunk.length) response.write(chunk);
      response.end('a');
    });
    await expect(fetchOutbound(`http://127.0.0.1:${server.port}/declared`, {}, allowed)).rejects.toThrow(
      /larger than 16 MB/,
    );
    await expect(fetchOutbound(`http://127.0.0.1:${server.port}/streamed`, {}, allowed)).rejects.toThrow(
      /larger than 16 MB/,
    );
  });

  it('stops when the signal aborts, before the answer or during its body', async () => {
    const server = await serve((request, response) => {
      // Never answers /silent; sends the start of /slow's body and stalls.
      if (request.url === '/slow') response.write('{"products":[');
    });
    const waiting = fetchOutbound(
      `http://127.0.0.1:${server.port}/silent`,
      { signal: AbortSignal.timeout(50) },
      allowed,
    );
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' });
    const controller = new AbortController();
    const reading = fetchOutbound(
      `http://127.0.0.1:${server.port}/slow`,
      { signal: controller.signal },
      allowed,
    );
    while (server.received.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the start of the body has arrived
    controller.abort(new Error('stop reading'));
    await expect(reading).rejects.toThrow('stop reading');
    const aborted = AbortSignal.abort();
    await expect(
      fetchOutbound(`http://127.0.0.1:${server.port}/silent`, { signal: aborted }, allowed),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.received).toHaveLength(2);
  });
});

describe('answerExcerpt', () => {
  it('quotes the start of a body, or where a redirect leads, never more than EXCERPT_CHARS of either', () => {
    const long = 'x'.repeat(5000);
    expect(answerExcerpt(new Response(long, { status: 500 }), long)).toBe('x'.repeat(EXCERPT_CHARS));
    const moved = new Response(long, {
      status: 301,
      headers: { location: `https://shop.example.com/${long}` },
    });
    const excerpt = answerExcerpt(moved, long);
    expect(excerpt).toMatch(/^redirects to https:\/\/shop\.example\.com\/x+ \(redirects are not followed\)$/);
    expect(excerpt).not.toContain('x'.repeat(EXCERPT_CHARS));
  });
});
