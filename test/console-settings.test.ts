/**
 * Server pieces of the console's Messages and Settings pages: resending a staff invitation, the
 * "send a test" of the messaging channels, and the periodic clean-up of ended staff sessions and
 * spent sign-in links. Through the HTTP API on the engine under test, the clock in the test's hands.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { deleteEndedSessions } from '../src/modules/staff/staff.jobs.ts';
import { staffSessions, staffSignInTokens } from '../src/modules/staff/staff.tables.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { startTestApp, type TestApp } from './support/harness.ts';
import { startMailInbox } from './support/inboxes.ts';
import { as, invite, signIn, storeWithOwner, useLink } from './support/staff.ts';

const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock, config: { publicUrl: 'http://console.test' } });
});
afterAll(() => t.close());

const run = randomUUID().slice(0, 8);
let unique = 0;
const email = (who: string) => `${who}.${run}.${++unique}@shop.example`;

describe('resending a staff invitation', () => {
  it('gives a new link that works, and the earlier one no longer does', async () => {
    const shop = await storeWithOwner(t, email('owner'));
    const invited = await as(t, shop.owner, 'POST', '/v1/staff', { email: email('sam'), role: 'support' });
    expect(invited.statusCode, invited.body).toBe(201);
    const { staff, link: first } = invited.json();

    const again = await as(t, shop.owner, 'POST', `/v1/staff/${staff.id}/invite`);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers['cache-control']).toBe('no-store');
    const second = again.json().link as string;
    expect(second).toMatch(/^http:\/\/console\.test\/admin\/sign-in#link=sto_/);
    expect(second).not.toBe(first);
    expect(again.json().staff).toMatchObject({ id: staff.id, status: 'invited' });

    const old = await t.request('POST', '/v1/session/link', {
      body: { token: first.split('#link=')[1], password: 'a long enough password' },
    });
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('invalid_link');
    expect((await useLink(t, second)).role).toBe('support');

    // Signed in: nothing left to resend.
    const done = await as(t, shop.owner, 'POST', `/v1/staff/${staff.id}/invite`);
    expect(done.statusCode).toBe(409);
    expect(done.json().code).toBe('staff_active');
  });

  it('sends a lost or expired invitation again by email when the store has an email channel', async () => {
    const ownerEmail = email('owner');
    const shop = await storeWithOwner(t, ownerEmail);
    const who = email('ops');
    const invited = await as(t, shop.owner, 'POST', '/v1/staff', { email: who, role: 'ops' });
    expect(invited.json().link).toBeDefined(); // no channel yet: the link is in the answer
    const id = invited.json().staff.id;
    clock.advance(8 * DAY); // the first link has expired
    const set = await t.request('PATCH', '/v1/settings/messaging', {
      key: shop.secretKey,
      body: { email: { channel: 'outbox' } },
    });
    expect(set.statusCode).toBe(200);
    const owner = await signIn(t, ownerEmail); // the first session has ended too
    const again = await as(t, owner, 'POST', `/v1/staff/${id}/invite`);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().link).toBeUndefined();
    const log = (await t.request('GET', '/v1/messages?kind=staff_invite', { key: shop.secretKey })).json();
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ recipient: who, state: 'queued' });
  });

  it('is the owner’s alone, answers 404 for another store’s member, and leaves an audit entry', async () => {
    const shop = await storeWithOwner(t, email('owner'));
    const other = await storeWithOwner(t, email('owner'), 'Other shop');
    const ops = await invite(t, shop.owner, email('ops'), 'ops');
    const invited = (
      await as(t, shop.owner, 'POST', '/v1/staff', { email: email('x'), role: 'support' })
    ).json();
    const refused = await as(t, ops, 'POST', `/v1/staff/${invited.staff.id}/invite`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('forbidden_role');
    const foreign = await as(t, other.owner, 'POST', `/v1/staff/${invited.staff.id}/invite`);
    expect(foreign.statusCode).toBe(404);
    expect((await as(t, shop.owner, 'POST', `/v1/staff/${invited.staff.id}/invite`)).statusCode).toBe(200);
    // The entry is written once the answer has gone.
    await expect
      .poll(async () => (await as(t, shop.owner, 'GET', '/v1/audit-log')).json().data[0])
      .toMatchObject({ action: 'resendStaffInvite', target: invited.staff.id });
  });
});

describe('send a test message', () => {
  it('goes through the built-in outbox and is in the log as sent', async () => {
    const shop = await storeWithOwner(t, email('owner'), 'Outbox shop');
    await t.request('PATCH', '/v1/settings/messaging', {
      key: shop.secretKey,
      body: { email: { channel: 'outbox' }, sms: { channel: 'outbox' } },
    });
    const res = await as(t, shop.owner, 'POST', '/v1/settings/messaging/test', {
      channel: 'email',
      to: ' Me@Shop.Example ',
    });
    expect(res.statusCode, res.body).toBe(202);
    const queued = res.json();
    expect(queued).toMatchObject({
      kind: 'channel_test',
      channel: 'email',
      recipient: 'me@shop.example',
      state: 'queued',
      transactional: true,
      subject: 'Test message from Outbox shop',
      deliveryAttempts: [],
    });
    expect(queued.body).toContain('built-in outbox');
    const sms = await as(t, shop.owner, 'POST', '/v1/settings/messaging/test', {
      channel: 'sms',
      to: '+1 (555) 010-2000',
    });
    expect(sms.statusCode, sms.body).toBe(202);
    expect(sms.json().recipient).toBe('+15550102000');

    const outcome = await deliverDue(t.app.deps, createSenders({ allowPrivateUrls: true }), {
      storeIds: [shop.id],
    });
    expect(outcome.sent).toBe(2);
    const after = (await as(t, shop.owner, 'GET', `/v1/messages/${queued.id}`)).json();
    expect(after.state).toBe('sent');
    expect(after.deliveryAttempts).toEqual([
      expect.objectContaining({ status: 'sent', response: expect.stringContaining('outbox') }),
    ]);
  });

  it('goes through the store’s SMTP server, and a refusal is in the log in words', async () => {
    const inbox = await startMailInbox();
    try {
      const shop = await storeWithOwner(t, email('owner'), 'Mail shop');
      await t.request('PATCH', '/v1/settings/messaging', {
        key: shop.secretKey,
        body: { email: { smtpUrl: inbox.url, from: 'Shop <shop@x.example>' } },
      });
      const senders = createSenders({ timeoutMs: 2000, allowPrivateUrls: true });
      const sent = (
        await as(t, shop.owner, 'POST', '/v1/settings/messaging/test', {
          channel: 'email',
          to: 'me@x.example',
        })
      ).json();
      await deliverDue(t.app.deps, senders, { storeIds: [shop.id] });
      const [mail] = await inbox.waitFor(1);
      expect(mail).toMatchObject({ to: ['me@x.example'], subject: 'Test message from Mail shop' });
      expect(mail!.text).toContain('its SMTP server');
      expect((await as(t, shop.owner, 'GET', `/v1/messages/${sent.id}`)).json().state).toBe('sent');

      inbox.rejectNext(550);
      const refused = (
        await as(t, shop.owner, 'POST', '/v1/settings/messaging/test', {
          channel: 'email',
          to: 'no@x.example',
        })
      ).json();
      await deliverDue(t.app.deps, senders, { storeIds: [shop.id] });
      senders.close?.();
      const failed = (await as(t, shop.owner, 'GET', `/v1/messages/${refused.id}`)).json();
      expect(failed.state).toBe('failed');
      expect(failed.lastError).toMatch(/550/);
    } finally {
      await inbox.close();
    }
  });

  it('refuses a channel not set up, an address that is not one, and other roles; nothing is queued', async () => {
    const shop = await storeWithOwner(t, email('owner'));
    const support = await invite(t, shop.owner, email('support'), 'support');
    const none = await as(t, shop.owner, 'POST', '/v1/settings/messaging/test', {
      channel: 'sms',
      to: '+15550100',
    });
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('channel_not_set_up');
    await t.request('PATCH', '/v1/settings/messaging', {
      key: shop.secretKey,
      body: { email: { channel: 'outbox' } },
    });
    const bad = await as(t, shop.owner, 'POST', '/v1/settings/messaging/test', {
      channel: 'email',
      to: 'not an email',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([expect.objectContaining({ path: '/to' })]);
    const role = await as(t, support, 'POST', '/v1/settings/messaging/test', {
      channel: 'email',
      to: 'a@b.example',
    });
    expect(role.statusCode).toBe(403);
    const log = (await t.request('GET', '/v1/messages', { key: shop.secretKey })).json();
    expect(log.data).toEqual([]);
  });
});

describe('the clean-up of ended sessions and spent sign-in links', () => {
  it('deletes exactly the sessions that ended and the links used or expired', async () => {
    const start = clock.now();
    const shop = await storeWithOwner(t, email('owner')); // the owner's link is now used
    const idle = await invite(t, shop.owner, email('idle'), 'ops'); // used link
    const signedOut = await invite(t, shop.owner, email('out'), 'ops');
    const pending = (await as(t, shop.owner, 'POST', '/v1/staff', { email: email('p'), role: 'ops' })).json();
    expect((await as(t, signedOut, 'DELETE', '/v1/session')).statusCode).toBe(204);
    // 11 h later the owner is active again; `idle` is not, and 13 h in its session has ended.
    clock.advance(11 * HOUR);
    expect((await as(t, shop.owner, 'GET', '/v1/session')).statusCode).toBe(200);
    const late = (await as(t, shop.owner, 'POST', '/v1/staff', { email: email('late'), role: 'ops' })).json();
    clock.advance(2 * HOUR);

    const db = t.app.deps.db;
    const sessionsOf = async () =>
      (
        await db
          .select({ staffId: staffSessions.staffId })
          .from(staffSessions)
          .where(eq(staffSessions.storeId, shop.id))
      ).map((s) => s.staffId);
    const linksOf = async () =>
      (
        await db
          .select({ staffId: staffSignInTokens.staffId })
          .from(staffSignInTokens)
          .where(eq(staffSignInTokens.storeId, shop.id))
      ).map((s) => s.staffId);
    expect((await sessionsOf()).sort()).toEqual([shop.owner.staffId, idle.staffId, signedOut.staffId].sort());
    expect(await linksOf()).toHaveLength(5);

    const removed = await deleteEndedSessions(db, clock.now());
    expect(removed.sessions).toBeGreaterThanOrEqual(2);
    expect(await sessionsOf()).toEqual([shop.owner.staffId]);
    // The used links went; both unused ones, still valid, stay.
    expect((await linksOf()).sort()).toEqual([pending.staff.id, late.staff.id].sort());
    expect((await as(t, shop.owner, 'GET', '/v1/session')).statusCode).toBe(200);

    // 7 days after it was made, the first pending link has expired; the later one has 11 h left.
    clock.set(new Date(start.getTime() + 7 * DAY + 1000));
    await deleteEndedSessions(db, clock.now());
    expect(await linksOf()).toEqual([late.staff.id]);
    const rows = await db
      .select()
      .from(staffSignInTokens)
      .where(
        and(eq(staffSignInTokens.storeId, shop.id), inArray(staffSignInTokens.staffId, [late.staff.id])),
      );
    expect(rows[0]!.usedAt).toBeNull();
  });
});
