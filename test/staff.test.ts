/**
 * Who signs in to the console (issue 12): the first owner's one-time link, password sign-in and
 * lock-out, the session cookie and its lifetimes, CSRF, invitations, staff management, the audit
 * log, and store isolation — all through the HTTP API, with the clock under the test's control.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { startTestApp, type TestApp, variant } from './support/harness.ts';
import { startMailInbox } from './support/inboxes.ts';
import {
  as,
  invite,
  PASSWORD,
  type Session,
  setCookie,
  signIn,
  storeWithOwner,
  tokenOfLink,
  useLink,
} from './support/staff.ts';

const PUBLIC_URL = 'http://console.test';
const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
let t: TestApp;
const HOUR = 3_600_000;

beforeAll(async () => {
  // One trusted proxy: X-Forwarded-Proto says whether the browser used HTTPS.
  t = await startTestApp({ clock, config: { publicUrl: PUBLIC_URL, trustProxy: 1 } });
});
afterAll(() => t.close());

// Unique per run: on PostgreSQL the database outlives the run, and an email in several stores asks for one.
const run = randomUUID().slice(0, 8);
let unique = 0;
const email = (who: string) => `${who}.${run}.${++unique}@shop.example`;

describe('the first owner', () => {
  it('gets a one-time sign-in link that sets the password and signs in, once', async () => {
    const owner = email('owner');
    const res = await t.request('POST', '/v1/stores', {
      key: 'test-operator-token-0123456789',
      body: { name: 'First shop', ownerEmail: owner.toUpperCase() },
    });
    expect(res.statusCode, res.body).toBe(201);
    const link: string = res.json().ownerSignInLink;
    expect(link).toMatch(/^http:\/\/console\.test\/admin\/sign-in#link=sto_[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);

    const used = await t.request('POST', '/v1/session/link', {
      body: { token: tokenOfLink(link), password: PASSWORD },
    });
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json()).toMatchObject({
      staff: { email: owner, role: 'owner' },
      store: { id: res.json().store.id, name: 'First shop' },
    });
    const again = await t.request('POST', '/v1/session/link', {
      body: { token: tokenOfLink(link), password: 'another password!' },
    });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('invalid_link');
    // The password chosen with the link works; the one tried on the spent link does not.
    await signIn(t, owner);
    const wrong = await t.request('POST', '/v1/session', {
      body: { email: owner, password: 'another password!' },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('refuses a link past its 7 days, and a short password', async () => {
    const res = await t.request('POST', '/v1/stores', {
      key: 'test-operator-token-0123456789',
      body: { name: 'Late shop', ownerEmail: email('late') },
    });
    const token = tokenOfLink(res.json().ownerSignInLink);
    const short = await t.request('POST', '/v1/session/link', { body: { token, password: 'short' } });
    expect(short.statusCode).toBe(422);
    clock.advance(7 * 24 * HOUR + 1000);
    const late = await t.request('POST', '/v1/session/link', { body: { token, password: PASSWORD } });
    expect(late.statusCode).toBe(401);
    expect(late.json().code).toBe('invalid_link');
  });
});

describe('signing in', () => {
  let shop: Awaited<ReturnType<typeof storeWithOwner>>;
  let owner: string;
  beforeAll(async () => {
    owner = email('owner');
    shop = await storeWithOwner(t, owner);
  });

  it('sets an HttpOnly, SameSite=Lax cookie on Path=/ (Secure only over HTTPS) and answers who and where', async () => {
    const res = await t.request('POST', '/v1/session', { body: { email: owner, password: PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    const { pair, attributes } = setCookie(res);
    expect(pair).toMatch(/^backfill_session=sto_/);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']));
    expect(attributes).not.toContain('Secure');
    expect(res.json().csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const https = await t.request('POST', '/v1/session', {
      body: { email: owner, password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(setCookie(https).attributes).toContain('Secure');

    const me = await t.request('GET', '/v1/session', { headers: { cookie: pair } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      staff: { id: shop.owner.staffId, email: owner, name: '', role: 'owner' },
      store: { id: shop.id, name: 'Staff shop' },
      csrfToken: res.json().csrfToken,
    });
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const wrong = await t.request('POST', '/v1/session', { body: { email: owner, password: 'nope nope' } });
    const unknown = await t.request('POST', '/v1/session', {
      body: { email: 'nobody@shop.example', password: 'nope nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json().code).toBe('invalid_credentials');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    // Emails are compared without case.
    await signIn(t, owner.toUpperCase());
  });

  it('locks an account for 15 minutes after 5 wrong passwords in a row', async () => {
    const who = email('locked');
    const staff = await invite(t, shop.owner, who, 'ops');
    for (let i = 0; i < 4; i++) {
      const res = await t.request('POST', '/v1/session', { body: { email: who, password: `wrong ${i}!` } });
      expect(res.statusCode).toBe(401);
    }
    await signIn(t, who); // a success starts the count again
    for (let i = 0; i < 5; i++) {
      const res = await t.request('POST', '/v1/session', { body: { email: who, password: `wrong ${i}!` } });
      expect(res.statusCode).toBe(401);
    }
    const locked = await t.request('POST', '/v1/session', { body: { email: who, password: PASSWORD } });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('account_locked');
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);
    const listed = await t.request('GET', `/v1/staff/${staff.staffId}`, { key: shop.secretKey });
    expect(listed.json().lockedUntil).not.toBeNull();

    clock.advance(14 * 60_000);
    const still = await t.request('POST', '/v1/session', { body: { email: who, password: PASSWORD } });
    expect(still.statusCode).toBe(429);
    expect(Number(still.headers['retry-after'])).toBe(60);
    clock.advance(60_000);
    await signIn(t, who);
  });

  it('asks for the store when the email works for several, listing only stores the password opens', async () => {
    const who = email('both');
    const other = await storeWithOwner(t, email('owner'), 'Second shop');
    await invite(t, shop.owner, who, 'support');
    await invite(t, other.owner, who, 'ops');
    const res = await t.request('POST', '/v1/session', { body: { email: who, password: PASSWORD } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('store_required');
    expect(
      res
        .json()
        .stores.map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual(['Second shop', 'Staff shop']);
    const wrong = await t.request('POST', '/v1/session', { body: { email: who, password: 'not it at all' } });
    expect(wrong.statusCode).toBe(401);
    const chosen = await signIn(t, who, PASSWORD, other.id);
    expect(chosen.role).toBe('ops');
  });
});

describe('the session', () => {
  let owner: Session;
  let ownerEmail: string;
  beforeAll(async () => {
    ownerEmail = email('owner');
    owner = (await storeWithOwner(t, ownerEmail)).owner;
  });

  it('ends after 12 hours unused, and clears the cookie', async () => {
    const session = await signIn(t, ownerEmail);
    clock.advance(11 * HOUR);
    expect((await as(t, session, 'GET', '/v1/variants')).statusCode).toBe(200);
    clock.advance(11 * HOUR); // 22 h after signing in, 11 h after last use: still on
    expect((await as(t, session, 'GET', '/v1/session')).statusCode).toBe(200);
    clock.advance(12 * HOUR + 1000);
    const ended = await as(t, session, 'GET', '/v1/variants');
    expect(ended.statusCode).toBe(401);
    expect(setCookie(ended).attributes).toContain('Max-Age=0');
  });

  it('ends 7 days after signing in, however used', async () => {
    const session = await signIn(t, ownerEmail);
    for (let step = 1; step <= 15; step++) {
      clock.advance(11 * HOUR);
      expect((await as(t, session, 'GET', '/v1/session')).statusCode, `after ${step * 11} h`).toBe(200);
    }
    clock.advance(4 * HOUR); // 169 h
    expect((await as(t, session, 'GET', '/v1/session')).statusCode).toBe(401);
  });

  it('signs out this session only, or every session', async () => {
    const a = await signIn(t, ownerEmail);
    const b = await signIn(t, ownerEmail);
    const c = await signIn(t, ownerEmail);
    const out = await as(t, a, 'DELETE', '/v1/session');
    expect(out.statusCode).toBe(204);
    expect(setCookie(out).attributes).toContain('Max-Age=0');
    expect((await as(t, a, 'GET', '/v1/session')).statusCode).toBe(401);
    expect((await as(t, b, 'GET', '/v1/session')).statusCode).toBe(200);

    const everywhere = await as(t, b, 'POST', '/v1/session/sign-out-everywhere');
    expect(everywhere.statusCode).toBe(204);
    expect((await as(t, b, 'GET', '/v1/session')).statusCode).toBe(401);
    expect((await as(t, c, 'GET', '/v1/session')).statusCode).toBe(401);
    expect((await as(t, owner, 'GET', '/v1/session')).statusCode).toBe(401);
  });

  it('refuses a forged or tampered cookie, and without a cookie asks to sign in', async () => {
    const session = await signIn(t, ownerEmail);
    const forged = { ...session, cookie: `${session.cookie.slice(0, -2)}AA` };
    expect((await as(t, forged, 'GET', '/v1/session')).statusCode).toBe(401);
    const none = await t.request('GET', '/v1/session');
    expect(none.statusCode).toBe(401);
    // A key is not a session.
    const keyed = await t.request('GET', '/v1/session', { key: (await t.createStore()).secretKey });
    expect(keyed.statusCode).toBe(403);
  });

  it('lets an Authorization header decide when one is sent, whatever the cookie', async () => {
    const session = await signIn(t, ownerEmail);
    const res = await t.request('GET', '/v1/variants', {
      headers: { cookie: session.cookie, authorization: 'Bearer sk_not_a_real_key_0000000000000000' },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('CSRF', () => {
  let shop: Awaited<ReturnType<typeof storeWithOwner>>;
  beforeAll(async () => {
    shop = await storeWithOwner(t, email('owner'));
  });
  const supplier = { name: 'Acme', leadTimeDays: 10 };

  it('refuses a write without the session’s X-CSRF-Token, and changes nothing', async () => {
    const missing = await t.request('POST', '/v1/suppliers', {
      body: supplier,
      headers: { cookie: shop.owner.cookie },
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe('csrf_failed');
    const other = await signIn(
      t,
      (await t.request('GET', '/v1/session', { headers: { cookie: shop.owner.cookie } })).json().staff.email,
    );
    const wrong = await as(
      t,
      { ...shop.owner, csrfToken: other.csrfToken },
      'POST',
      '/v1/suppliers',
      supplier,
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('csrf_failed');
    const list = await as(t, shop.owner, 'GET', '/v1/suppliers');
    expect(list.json().data).toEqual([]);
    // Reads need no token.
    expect(
      (await t.request('GET', '/v1/suppliers', { headers: { cookie: shop.owner.cookie } })).statusCode,
    ).toBe(200);
  });

  it('refuses a write from another origin, and accepts one from its own', async () => {
    const foreign = await as(t, shop.owner, 'POST', '/v1/suppliers', supplier, {
      host: 'console.test',
      origin: 'https://evil.example',
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('csrf_failed');
    const own = await as(t, shop.owner, 'POST', '/v1/suppliers', supplier, {
      host: 'console.test',
      origin: 'http://console.test',
    });
    expect(own.statusCode, own.body).toBe(201);
    const signInElsewhere = await t.request('POST', '/v1/session', {
      body: { email: 'x@y.example', password: 'whatever1' },
      headers: { host: 'console.test', origin: 'https://evil.example' },
    });
    expect(signInElsewhere.statusCode).toBe(403);
  });

  it('does not apply to API keys', async () => {
    const res = await t.request('POST', '/v1/suppliers', { key: shop.secretKey, body: supplier });
    expect(res.statusCode).toBe(201);
  });
});

describe('staff management', () => {
  let shop: Awaited<ReturnType<typeof storeWithOwner>>;
  beforeAll(async () => {
    shop = await storeWithOwner(t, email('owner'));
  });

  it('invites with a link in the answer when no email channel is set up', async () => {
    const who = email('Support');
    const res = await as(t, shop.owner, 'POST', '/v1/staff', { email: who, name: 'Sam', role: 'support' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().staff).toMatchObject({
      email: who.toLowerCase(),
      name: 'Sam',
      role: 'support',
      status: 'invited',
    });
    expect(res.json().link).toMatch(/^http:\/\/console\.test\/admin\/sign-in#link=/);
    const dup = await as(t, shop.owner, 'POST', '/v1/staff', { email: who, role: 'ops' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('staff_exists');
    const session = await useLink(t, res.json().link);
    expect(session.role).toBe('support');
    const listed = await as(t, shop.owner, 'GET', '/v1/staff');
    expect(listed.json().data.find((s: { id: string }) => s.id === session.staffId).status).toBe('active');
  });

  it('invites by email through the store’s email channel, and the message log withholds the link', async () => {
    const inbox = await startMailInbox();
    try {
      const store = await storeWithOwner(t, email('owner'), 'Mail shop');
      const set = await t.request('PATCH', '/v1/settings/messaging', {
        key: store.secretKey,
        body: { email: { smtpUrl: inbox.url, from: 'Shop <s@x.example>' } },
      });
      expect(set.statusCode, set.body).toBe(200);
      const who = email('ops');
      const res = await as(t, store.owner, 'POST', '/v1/staff', { email: who, role: 'ops' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().link).toBeUndefined();
      const log = await t.request('GET', '/v1/messages?kind=staff_invite', { key: store.secretKey });
      const [message] = log.json().data;
      expect(message).toMatchObject({
        kind: 'staff_invite',
        channel: 'email',
        recipient: who,
        state: 'queued',
      });
      expect(message.body).toContain('/admin/sign-in#link=(withheld)');
      expect(message.body).not.toMatch(/#link=sto_/);
      // The email itself carries the working link.
      const senders = createSenders({ timeoutMs: 2000, allowPrivateUrls: true });
      await deliverDue(t.app.deps, senders, { storeIds: [store.id] });
      const [mail] = await inbox.waitFor(1);
      expect(mail!.to).toEqual([who]);
      const link = /http:\/\/console\.test\/admin\/sign-in#link=\S+/.exec(mail!.text)?.[0];
      expect(link).toBeDefined();
      expect((await useLink(t, link!)).role).toBe('ops');
    } finally {
      await inbox.close();
    }
  });

  it('changes roles and names, keeps the last owner, and removes staff (their sessions end)', async () => {
    const ops = await invite(t, shop.owner, email('ops'), 'ops');
    const patched = await as(t, shop.owner, 'PATCH', `/v1/staff/${ops.staffId}`, {
      role: 'support',
      name: 'Robin',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ role: 'support', name: 'Robin' });
    // The new role applies to the very next request.
    expect((await as(t, ops, 'POST', '/v1/suppliers', { name: 'X', leadTimeDays: 1 })).json().code).toBe(
      'forbidden_role',
    );

    const demote = await as(t, shop.owner, 'PATCH', `/v1/staff/${shop.owner.staffId}`, { role: 'ops' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('last_owner');
    const removeSelf = await as(t, shop.owner, 'DELETE', `/v1/staff/${shop.owner.staffId}`);
    expect(removeSelf.statusCode).toBe(409);

    const removed = await as(t, shop.owner, 'DELETE', `/v1/staff/${ops.staffId}`);
    expect(removed.statusCode).toBe(204);
    expect((await as(t, ops, 'GET', '/v1/orders')).statusCode).toBe(401);
    expect((await as(t, shop.owner, 'GET', `/v1/staff/${ops.staffId}`)).statusCode).toBe(404);
  });

  it('is open to the store’s secret key (keys have no role)', async () => {
    const res = await t.request('GET', '/v1/staff', { key: shop.secretKey });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.length).toBeGreaterThan(0);
    const invited = await t.request('POST', '/v1/staff', {
      key: shop.secretKey,
      body: { email: email('keyed'), role: 'owner' },
    });
    expect(invited.statusCode).toBe(201);
  });
});

describe('the audit log', () => {
  it('records each successful staff write with who, what, target, before and after; not key calls or refusals', async () => {
    const ownerEmail = email('owner');
    const shop = await storeWithOwner(t, ownerEmail);
    const ops = await invite(t, shop.owner, email('ops'), 'ops');
    const created = await as(t, ops, 'POST', '/v1/suppliers', { name: 'Acme', leadTimeDays: 10 });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const patched = await as(t, ops, 'PATCH', `/v1/suppliers/${id}`, { name: 'Acme Ltd' });
    expect(patched.statusCode, patched.body).toBe(200);
    // Not logged: a key's write, a refused write, a failed write, a read.
    await t.request('PATCH', `/v1/suppliers/${id}`, { key: shop.secretKey, body: { name: 'By key' } });
    await as(t, ops, 'PATCH', '/v1/settings', { handlingDays: 2 });
    await as(t, ops, 'PATCH', `/v1/suppliers/${id}`, { leadTimeDays: -5 });
    await as(t, ops, 'GET', `/v1/suppliers/${id}`);

    const log = await as(t, shop.owner, 'GET', '/v1/audit-log');
    expect(log.statusCode, log.body).toBe(200);
    const entries = log.json().data;
    const ofOps = entries.filter((e: { staff: { id: string } }) => e.staff.id === ops.staffId);
    expect(ofOps).toHaveLength(2);
    expect(ofOps[0]).toMatchObject({
      action: 'patchSupplier',
      method: 'PATCH',
      route: '/v1/suppliers/:id',
      target: id,
      before: { id, name: 'Acme', leadTimeDays: 10 },
      after: { name: 'Acme Ltd' },
    });
    expect(ofOps[1]).toMatchObject({
      action: 'createSupplier',
      target: null,
      before: null,
      after: { name: 'Acme', leadTimeDays: 10 },
    });
    expect(new Date(ofOps[0].at).getTime()).toBe(clock.now().getTime());
    // The owner's invitation of the ops member is there too, the oldest entry.
    expect(entries.at(-1)).toMatchObject({ action: 'inviteStaff', staff: { email: ownerEmail } });

    const first = await as(t, shop.owner, 'GET', '/v1/audit-log?limit=1');
    const second = await as(t, shop.owner, 'GET', `/v1/audit-log?limit=1&cursor=${first.json().nextCursor}`);
    expect([first.json().data[0].id, second.json().data[0].id]).toEqual([entries[0].id, entries[1].id]);
    // Owners only.
    expect((await as(t, ops, 'GET', '/v1/audit-log')).json().code).toBe('forbidden_role');
  });

  it('withholds passwords and secrets', async () => {
    const shop = await storeWithOwner(t, email('owner'));
    await as(t, shop.owner, 'PATCH', '/v1/settings/messaging', {
      email: { smtpUrl: 'smtp://user:hunter2@mail.example:587', from: 'a@b.example' },
    });
    const log = await as(t, shop.owner, 'GET', '/v1/audit-log');
    expect(log.body).not.toContain('hunter2');
    expect(log.json().data[0].action).toBe('patchMessagingSettings');
  });
});

describe('store isolation', () => {
  it('a staff member of one store never reads or changes another store', async () => {
    const a = await storeWithOwner(t, email('owner'), 'Store A');
    const b = await storeWithOwner(t, email('owner'), 'Store B');
    await t.request('PUT', '/v1/variants/B-ONLY', { key: b.secretKey, body: variant('backorder') });
    expect((await as(t, b.owner, 'GET', '/v1/variants/B-ONLY')).statusCode).toBe(200);
    expect((await as(t, a.owner, 'GET', '/v1/variants/B-ONLY')).statusCode).toBe(404);
    expect((await as(t, a.owner, 'GET', '/v1/variants')).json().data).toEqual([]);
    expect((await as(t, a.owner, 'GET', `/v1/staff/${b.owner.staffId}`)).statusCode).toBe(404);
    expect((await as(t, a.owner, 'PATCH', `/v1/staff/${b.owner.staffId}`, { role: 'ops' })).statusCode).toBe(
      404,
    );
    expect((await as(t, a.owner, 'DELETE', `/v1/staff/${b.owner.staffId}`)).statusCode).toBe(404);
    const names = (await as(t, a.owner, 'GET', '/v1/staff')).json().data.map((s: { id: string }) => s.id);
    expect(names).toEqual([a.owner.staffId]);
    // A's cookie re-pointed at store B opens nothing.
    const moved = { ...a.owner, cookie: a.owner.cookie.replace(a.id, b.id) };
    expect((await as(t, moved, 'GET', '/v1/variants')).statusCode).toBe(401);
  });
});
