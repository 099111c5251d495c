/**
 * Server-side request forgery: webhook endpoints, the SMS API's base URL and the SMTP server may not send Backfill's
 * requests into its own network (loopback, private, link-local, the cloud metadata service),
 * neither when saved nor when delivered, where the address is checked after DNS resolution (a name
 * that turns private after it was saved is refused). BACKFILL_ALLOW_PRIVATE_URLS=true lets them
 * through. A receiver's answer is kept only as a short excerpt.
 */
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { EXCERPT_CHARS, isPrivateAddress, postOutbound, privateUrlReason } from '../src/shared/outbound.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { type HttpReceiver, startHttpReceiver } from './support/inboxes.ts';
import { relayAll } from './support/relay.ts';
import { expectProblem } from './support/state.ts';

let guarded: TestApp; // the operator did not allow private addresses
let open: TestApp; // BACKFILL_ALLOW_PRIVATE_URLS=true
let receiver: HttpReceiver;

beforeAll(async () => {
  guarded = await startTestApp({ config: { allowPrivateUrls: false } });
  open = await startTestApp({ config: { allowPrivateUrls: true } });
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await guarded.close();
  await open.close();
  await receiver.close();
});

describe('which addresses are private', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.20.30', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true], // AWS, GCP, Azure metadata
    ['100.100.100.200', true], // carrier-grade NAT range (Alibaba's metadata)
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00:ec2::254', true], // AWS metadata over IPv6
    ['fc00::5', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:a9fe:a9fe', true], // 169.254.169.254
    ['::ffff:0:7f00:1', true], // IPv4-translated 127.0.0.1
    ['::ffff:0:127.0.0.1', true],
    ['::127.0.0.1', true], // IPv4-compatible (deprecated)
    ['::7f00:1', true],
    ['::8.8.8.8', true], // every IPv4-compatible address: no network routes them as such
    ['64:ff9b::7f00:1', true], // NAT64 of 127.0.0.1
    ['64:ff9b::10.0.0.1', true],
    ['64:ff9b:1::7f00:1', true], // local-use NAT64
    ['2002:7f00:1::', true], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', true], // 6to4 of 169.254.169.254
    ['fe80::1%eth0', true],
    ['0:0:0:0:0:0:0:1', true],
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', true],
    ['1:2:3:4:5:6:7:8:9', true], // not an address
    ['not an address', true],
    ['93.184.216.34', false],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::808:808', false], // NAT64 of 8.8.8.8
    ['2002:808:808::1', false], // 6to4 of 8.8.8.8
    ['2001:4860:4860::8888', false],
  ])('%s → %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('at save', () => {
  const refusedUrls = [
    'http://127.0.0.1:9/hook',
    'http://localhost/hook',
    'http://api.localhost/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://[::1]:8080/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'https://10.0.0.8/hook',
    'http://2130706433/hook', // 127.0.0.1 written as one number
    'http://0x7f.1/hook',
  ];

  it('refuses webhook endpoints on private addresses (422 url_not_allowed), saving nothing', async () => {
    const store = await guarded.createStore();
    for (const url of refusedUrls) {
      const res = await guarded.request('POST', '/v1/webhook-endpoints', {
        key: store.secretKey,
        body: { url },
      });
      expectProblem(res, 422, 'url_not_allowed');
      expect(res.json().errors, url).toEqual([{ path: '/url', message: expect.any(String) }]);
    }
    expect(
      (await guarded.request('GET', '/v1/webhook-endpoints', { key: store.secretKey })).json().data,
    ).toEqual([]);
    // A public name is saved (its address is checked again at every delivery).
    const created = await guarded.request('POST', '/v1/webhook-endpoints', {
      key: store.secretKey,
      body: { url: 'https://hooks.example.com/backfill' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const moved = await guarded.request('PATCH', `/v1/webhook-endpoints/${created.json().id}`, {
      key: store.secretKey,
      body: { url: 'http://192.168.0.10/hook' },
    });
    expectProblem(moved, 422, 'url_not_allowed');
    expect(
      (
        await guarded.request('GET', `/v1/webhook-endpoints/${created.json().id}`, { key: store.secretKey })
      ).json().url,
    ).toBe('https://hooks.example.com/backfill');
  });

  it('refuses an SMS API base URL on a private address', async () => {
    const store = await guarded.createStore();
    const sms = (baseUrl: string) => ({
      sms: { baseUrl, accountSid: 'AC1', authToken: 't', from: '+15550001111' },
    });
    for (const url of ['http://127.0.0.1:8080', 'http://169.254.169.254', 'http://[fd00:ec2::254]']) {
      const res = await guarded.request('PATCH', '/v1/settings/messaging', {
        key: store.secretKey,
        body: sms(url),
      });
      expectProblem(res, 422, 'url_not_allowed');
      expect(res.json().errors).toEqual([{ path: '/sms/baseUrl', message: expect.any(String) }]);
    }
    expect(
      (await guarded.request('GET', '/v1/settings/messaging', { key: store.secretKey })).json().sms,
    ).toBeNull();
  });

  it('refuses an SMTP server on a private address, and an SMS base URL carrying credentials', async () => {
    const store = await guarded.createStore();
    for (const smtpUrl of ['smtp://127.0.0.1:2525', 'smtps://localhost', 'smtp://[::ffff:0:a00:1]:25']) {
      const res = await guarded.request('PATCH', '/v1/settings/messaging', {
        key: store.secretKey,
        body: { email: { smtpUrl, from: 'Shop <shop@example.com>' } },
      });
      expectProblem(res, 422, 'url_not_allowed');
      expect(res.json().errors).toEqual([{ path: '/email/smtpUrl', message: expect.any(String) }]);
    }
    const withCredentials = await guarded.request('PATCH', '/v1/settings/messaging', {
      key: store.secretKey,
      body: {
        sms: {
          baseUrl: 'https://proxyuser:secret@api.twilio.com',
          accountSid: 'AC1',
          authToken: 't',
          from: '+15550001111',
        },
      },
    });
    expectProblem(withCredentials, 422, 'validation_failed');
    expect(withCredentials.json().errors).toEqual([{ path: '/sms/baseUrl', message: expect.any(String) }]);
    const settings = (
      await guarded.request('GET', '/v1/settings/messaging', { key: store.secretKey })
    ).json();
    expect(settings.sms).toBeNull();
    expect(settings.email?.smtpUrl ?? null).toBeNull();
  });

  it('allows them when the operator says so (BACKFILL_ALLOW_PRIVATE_URLS=true)', async () => {
    const store = await open.createStore();
    for (const url of refusedUrls) {
      const res = await open.request('POST', '/v1/webhook-endpoints', {
        key: store.secretKey,
        body: { url },
      });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
      await open.request('DELETE', `/v1/webhook-endpoints/${res.json().id}`, { key: store.secretKey });
    }
  });
});

/** A resolver whose answer changes between the save and the delivery: DNS rebinding. */
function rebinding(first: string, later: string) {
  let calls = 0;
  const resolve = async (): Promise<LookupAddress[]> => {
    calls += 1;
    return [{ address: calls === 1 ? first : later, family: 4 }];
  };
  return { resolve, calls: () => calls };
}

describe('at delivery', () => {
  it('checks the address after resolution: a name that turns private is refused (rebinding)', async () => {
    const port = new URL(receiver.url).port;
    const url = `http://hooks.rebind.test:${port}/hook`;
    const dns = rebinding('93.184.216.34', '127.0.0.1');
    const policy = { allowPrivate: false, resolve: dns.resolve };
    expect(await privateUrlReason(url, policy)).toBeNull(); // at save: a public address
    const before = receiver.requests.length;
    await expect(postOutbound(url, { headers: {}, body: '{}', timeoutMs: 2000 }, policy)).rejects.toThrow(
      /127\.0\.0\.1.*refused/,
    );
    expect(dns.calls()).toBe(2); // resolved again for the connection
    expect(receiver.requests.length).toBe(before);
    // Allowed, the same request reaches the receiver (so the refusal above was the check's).
    const allowed = await postOutbound(
      url,
      { headers: {}, body: '{}', timeoutMs: 2000 },
      { allowPrivate: true, resolve: dns.resolve },
    );
    expect(allowed.status).toBe(200);
    expect(receiver.requests.length).toBe(before + 1);
  });

  it('an endpoint saved before (or with) the operator’s permission is refused once it is withdrawn', async () => {
    const store = await open.createStore();
    const key = store.secretKey;
    await startRelayCursor(open.app.deps, `ssrf-${store.id}`);
    const endpoint = (
      await open.request('POST', '/v1/webhook-endpoints', {
        key,
        body: { url: `${receiver.url}/saved`, eventTypes: ['order.placed'] },
      })
    ).json();
    await open.request('PUT', '/v1/variants/SSRF-1', { key, body: variant('backorder') });
    await open.request('POST', '/v1/orders', { key, body: { lines: [{ sku: 'SSRF-1', quantity: 1 }] } });
    await relayAll(open.app.deps, { cursor: `ssrf-${store.id}`, storeIds: [store.id] });
    const before = receiver.requests.length;
    const outcome = await deliverDue(open.app.deps, createSenders({ timeoutMs: 2000 }), {
      storeIds: [store.id],
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ failed: 1 });
    expect(receiver.requests.length).toBe(before);
    const [message] = (await open.request('GET', `/v1/messages?channel=webhook`, { key })).json().data;
    expect(message).toMatchObject({ recipient: endpoint.id, state: 'failed' });
    expect(message.lastError).toMatch(/private or local address/);
  });

  it('an SMTP server on a private address is not connected to when sending (however it was saved)', async () => {
    let connections = 0;
    const smtp: Server = createServer((socket) => {
      connections += 1;
      socket.end('220 internal relay ESMTP\r\n');
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.address() as { port: number }).port;
    const message = {
      id: 'msg_1',
      recipient: 'a@example.com',
      subject: 's',
      body: 'b',
      html: null,
      payload: null,
    };
    const senders = createSenders({ timeoutMs: 2000 });
    try {
      for (const smtpUrl of [`smtp://127.0.0.1:${port}`, `smtp://localhost:${port}`]) {
        const result = await senders.email({ smtpUrl, from: 'shop@example.com', replyTo: null }, message);
        expect(result).toMatchObject({ ok: false, permanent: true, error: expect.stringMatching(/refused/) });
      }
      expect(connections).toBe(0);
    } finally {
      senders.close?.();
      await new Promise((resolve) => smtp.close(resolve));
    }
  });

  it('keeps only the start of an SMTP server’s refusal', async () => {
    const smtp: Server = createServer((socket) => {
      socket.end(`554-${'INTERNAL-BANNER-'.repeat(200)}\r\n554 go away\r\n`);
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.address() as { port: number }).port;
    const senders = createSenders({ timeoutMs: 2000, allowPrivateUrls: true });
    try {
      const result = await senders.email(
        { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'shop@example.com', replyTo: null },
        { id: 'msg_2', recipient: 'a@example.com', subject: 's', body: 'b', html: null, payload: null },
      );
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.length).toBeLessThanOrEqual(300);
      expect(!result.ok && result.error).toMatch(/INTERNAL-BANNER/);
    } finally {
      senders.close?.();
      await new Promise((resolve) => smtp.close(resolve));
    }
  });

  it('keeps only a short excerpt of what a receiver answers', async () => {
    const store: StoreKeys = await open.createStore();
    const key = store.secretKey;
    await startRelayCursor(open.app.deps, `excerpt-${store.id}`);
    await open.request('POST', '/v1/webhook-endpoints', {
      key,
      body: { url: `${receiver.url}/chatty`, eventTypes: ['order.placed'] },
    });
    await open.request('PUT', '/v1/variants/SSRF-2', { key, body: variant('backorder') });
    await open.request('POST', '/v1/orders', { key, body: { lines: [{ sku: 'SSRF-2', quantity: 1 }] } });
    await relayAll(open.app.deps, { cursor: `excerpt-${store.id}`, storeIds: [store.id] });
    receiver.plan({ status: 200, body: `{"secret":"${'x'.repeat(100_000)}"}` });
    const outcome = await deliverDue(
      open.app.deps,
      createSenders({ timeoutMs: 2000, allowPrivateUrls: true }),
      {
        storeIds: [store.id],
      },
    );
    expect(outcome).toMatchObject({ sent: 1 });
    const [row] = await queryRows<{ response: string }>(
      open.app.deps.db,
      sql`SELECT a.response FROM message_attempts a JOIN messages m ON m.id = a.message_id
           WHERE m.store_id = ${store.id} AND m.channel = 'webhook'`,
    );
    expect(row!.response.length).toBeLessThanOrEqual(EXCERPT_CHARS);
    expect(row!.response.startsWith('{"secret":"xxx')).toBe(true);
  });
});
