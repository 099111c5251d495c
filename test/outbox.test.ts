/**
 * The built-in outbox channel: a store with no SMTP server or SMS account keeps its email and text
 * messages in the message log, rendered and marked delivered, and nothing leaves the process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Senders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { startTestApp, type TestApp, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Channels that must never be called. */
const calls: string[] = [];
const refusing: Senders = {
  email: async () => {
    calls.push('email');
    throw new Error('no SMTP here');
  },
  sms: async () => {
    calls.push('sms');
    throw new Error('no SMS here');
  },
  webhook: async () => {
    calls.push('webhook');
    throw new Error('no webhooks here');
  },
};

describe('the outbox channel', () => {
  it('keeps a placed order’s email and SMS as delivered, with the rendered body, and sends nothing', async () => {
    const store = await t.createStore('Laptop shop');
    const key = store.secretKey;
    const scope = { cursor: `test-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    const set = await t.request('PATCH', '/v1/settings/messaging', {
      key,
      body: { email: { channel: 'outbox' }, sms: { channel: 'outbox' } },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ email: { channel: 'outbox' }, sms: { channel: 'outbox' } });

    await t.request('PUT', '/v1/variants/LAMP-1', {
      key,
      body: variant('backorder', null, { title: 'Brass desk lamp' }),
    });
    const placed = await t.request('POST', '/v1/orders', {
      key,
      body: {
        customer: { email: 'Ada@Example.com', phone: '+15550102000' },
        lines: [{ sku: 'LAMP-1', quantity: 1 }],
      },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json();

    await relayAll(t.app.deps, scope);
    const outcomes = await deliverDue(t.app.deps, refusing, { storeIds: [store.id] });
    expect(outcomes).toMatchObject({ sent: 2, failed: 0, retrying: 0 });
    expect(calls).toEqual([]);

    const log = (await t.request('GET', `/v1/messages?orderId=${order.id}`, { key })).json().data as {
      id: string;
      channel: string;
      recipient: string;
      state: string;
      subject: string | null;
      body: string | null;
      sentAt: string | null;
    }[];
    expect(log.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    for (const message of log) {
      expect(message.state).toBe('sent');
      expect(message.sentAt).not.toBeNull();
      expect(message.body).toContain('Brass desk lamp');
    }
    const email = log.find((m) => m.channel === 'email')!;
    expect(email.recipient).toBe('ada@example.com');
    expect(email.subject?.toLowerCase()).toContain('backorder');
    const detail = (await t.request('GET', `/v1/messages/${email.id}`, { key })).json();
    expect(detail.deliveryAttempts).toEqual([
      expect.objectContaining({ status: 'sent', response: expect.stringContaining('outbox') }),
    ]);
  });

  it('is replaced by a real channel, and refuses a mix of both', async () => {
    const store = await t.createStore('Switching shop');
    const key = store.secretKey;
    const patch = (body: unknown) => t.request('PATCH', '/v1/settings/messaging', { key, body });
    expect((await patch({ email: { channel: 'outbox' } })).json().email).toEqual({ channel: 'outbox' });
    const bad = await patch({
      email: { channel: 'outbox', smtpUrl: 'smtp://127.0.0.1:25', from: 'a@b.example' },
    });
    expect(bad.statusCode).toBe(422);
    const smtp = await patch({ email: { smtpUrl: 'smtp://127.0.0.1:2525', from: 'Shop <a@b.example>' } });
    expect(smtp.json().email).toEqual({
      channel: 'smtp',
      smtpUrl: 'smtp://127.0.0.1:2525',
      from: 'Shop <a@b.example>',
      replyTo: null,
    });
    expect((await patch({ email: null })).json().email).toBeNull();
  });
});
