/**
 * The shopper's self-service pages over HTTP: signed links, the status page, and each action
 * (cancel, keep, switch, preferences, unsubscribe) confirmed by a POST, on the engine under test.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { type LinkAction, signedQuery } from '../src/modules/messages/messages.links.ts';
import { loadMessagingSettings } from '../src/modules/messages/messages.settings.ts';
import { switchLine } from '../src/modules/selfservice/selfservice.switch.ts';
import { OrderPlacement } from '../src/modules/stock/stock.placement.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const DAY = 86_400_000;
const clock = new ManualClock(new Date('2026-03-10T12:00:00Z'));
const CUSTOMER = { email: 'ada@example.com', phone: '+15550100', name: 'Ada' };
let t: TestApp;
let store: StoreKeys;
let other: StoreKeys;

beforeAll(async () => {
  t = await startTestApp({ clock });
  store = await t.createStore('Corner Shop');
  other = await t.createStore('Other Shop');
});
afterAll(() => t.close());

const key = () => store.secretKey;

async function put(sku: string, body: Record<string, unknown>) {
  const res = await t.request('PUT', `/v1/variants/${sku}`, { key: key(), body });
  if (res.statusCode >= 300) throw new Error(`PUT ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function restock(sku: string, quantity: number) {
  const res = await t.request('POST', '/v1/inventory/adjustments', {
    key: key(),
    body: { sku, quantity, reason: 'restock' },
  });
  if (res.statusCode !== 201) throw new Error(`restock ${sku}: ${res.statusCode} ${res.body}`);
}

async function place(lines: { sku: string; quantity: number }[], customer: object = CUSTOMER): Promise<Json> {
  const res = await t.request('POST', '/v1/orders', { key: key(), body: { customer, lines } });
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
  return res.json();
}

const getOrder = async (id: string): Promise<Json> =>
  (await t.request('GET', `/v1/orders/${id}`, { key: key() })).json();

const level = async (sku: string): Promise<Json> =>
  (await t.request('GET', `/v1/inventory/${sku}`, { key: key() })).json();

async function events(type: string): Promise<Json[]> {
  const res = await t.request('GET', `/v1/events?type=${type}&limit=500`, { key: key() });
  return res.json().data.map((e: Json) => e.data);
}

/** The links the developer endpoint hands out, as paths this server answers. */
async function links(orderId: string): Promise<Record<'status' | 'cancel' | 'preferences', string>> {
  const res = await t.request('POST', `/v1/orders/${orderId}/self-service-links`, { key: key() });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  const path = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };
  return { status: path(body.status), cancel: path(body.cancel), preferences: path(body.preferences) };
}

const secretOf = async (storeId: string) =>
  (await loadMessagingSettings(t.app.deps.db, t.app.deps, storeId)).linkSecret;

/** A link as the message delivery would sign it (e.g. keep and switch links of a delay notice). */
async function signed(
  action: LinkAction,
  subject: string,
  options: { lineId?: string; storeId?: string; secret?: string; seconds?: number } = {},
): Promise<string> {
  const storeId = options.storeId ?? store.id;
  const expiresAt = Math.floor(clock.now().getTime() / 1000) + (options.seconds ?? 3600);
  const claims = {
    storeId,
    action,
    subject,
    expiresAt,
    ...(options.lineId ? { lineId: options.lineId } : {}),
  };
  return `/self-service?${signedQuery(claims, options.secret ?? (await secretOf(storeId)))}`;
}

const formBody = (fields: Record<string, string>) => ({
  rawBody: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

/** The POST form actions a page carries, as paths (they are relative: `?<signed query>`). */
function formActions(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map(
    (m) => `/self-service${m[1]!.replaceAll('&amp;', '&')}`,
  );
}

function linkHrefs(html: string): string[] {
  return [...html.matchAll(/<a (?:class="[^"]*" )?href="(\?[^"]+)"/g)].map(
    (m) => `/self-service${m[1]!.replaceAll('&amp;', '&')}`,
  );
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:])/g, '$1');

async function contactRows(storeId: string): Promise<Json[]> {
  return queryRows(
    t.app.deps.db,
    sql`SELECT contact, email, sms, unsubscribed FROM contact_preferences WHERE store_id = ${storeId} ORDER BY contact`,
  );
}

describe('the status page', () => {
  it("shows each line's state, units ahead in its queue and promised date, in the store's name", async () => {
    await put('ST-A', { ...variant('backorder'), title: 'Trail shoe' });
    await put('ST-B', { ...variant('backorder'), title: 'Laces' });
    await restock('ST-B', 5);
    const earlier = await place([{ sku: 'ST-A', quantity: 3 }], { email: 'someone@else.com' });
    const order = await place([
      { sku: 'ST-A', quantity: 2 },
      { sku: 'ST-B', quantity: 1 },
    ]);
    const api = await getOrder(order.id);
    expect(api.lines[0]).toMatchObject({ backorderedQuantity: 2, eta: '2026-03-24' });

    const res = await t.request('GET', (await links(order.id)).status);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const html = res.body;
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    expect(html).toContain('<h1>Your order');
    expect(html).not.toContain('<script');
    const cards = html.split('<li class="line').slice(1);
    expect(cards).toHaveLength(2);
    expect(text(cards[0]!)).toContain(
      'Trail shoe SKU ST-A · Quantity 2 Waiting for stock Ships by 24 March 2026',
    );
    expect(text(cards[0]!)).toContain(
      '1 order is ahead of you; new stock is expected from the supplier by 24 March 2026.',
    );
    expect(cards[0]).toContain('<time datetime="2026-03-24">');
    expect(text(cards[1]!)).toContain('Laces SKU ST-B · Quantity 1 Ready to ship');
    expect(text(html)).toContain('Corner Shop');
    // Another shopper's order is not on the page.
    expect(html).not.toContain(earlier.id);
    expect(html).not.toContain('someone@else.com');

    const first = await t.request('GET', (await links(earlier.id)).status);
    expect(text(first.body)).toContain('You are next in line;');
  });

  it('answers 403 to a tampered link and 404 to an unknown order, without showing any order', async () => {
    await put('TM-A', variant('backorder'));
    const mine = await place([{ sku: 'TM-A', quantity: 1 }]);
    const theirs = await place([{ sku: 'TM-A', quantity: 1 }], { email: 'bob@example.com' });
    const good = (await links(mine.id)).status;
    expect((await t.request('GET', good)).statusCode).toBe(200);

    const signature = new URL(good, 'http://x').searchParams.get('sig')!;
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const tampered = [
      good.replace(`sig=${signature}`, `sig=${flipped}`),
      good.replace(mine.id, theirs.id),
      good.replace('a=status', 'a=cancel'),
      good.replace(/exp=\d+/, 'exp=9999999999'),
      good.replace(/&sig=[^&]+/, ''),
      '/self-service',
    ];
    for (const url of tampered) {
      const res = await t.request('GET', url);
      expect(res.statusCode, url).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('This link is not valid');
      expect(res.body).not.toContain(theirs.id);
      expect(res.body).not.toContain('bob@example.com');
      expect(res.body).not.toContain('Corner Shop');
    }
    expect((await getOrder(theirs.id)).status).toBe('backordered');

    const unknown = await t.request('GET', await signed('status', 'ord_doesnotexist'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Order not found');
    expect(unknown.headers['content-type']).toMatch(/^text\/html/);
  });

  it('answers 410 once the link has expired, saying how to get a new one', async () => {
    await put('EX-A', variant('backorder'));
    const order = await place([{ sku: 'EX-A', quantity: 1 }]);
    const { status, cancel } = await links(order.id);
    const start = clock.now();
    try {
      clock.advance(89 * DAY);
      expect((await t.request('GET', status)).statusCode).toBe(200);
      clock.advance(2 * DAY);
      const res = await t.request('GET', status);
      expect(res.statusCode).toBe(410);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(text(res.body)).toContain('This link has expired');
      expect(text(res.body)).toContain('Contact Corner Shop');
      expect(res.body).not.toContain(order.id);
      // An expired link does nothing either.
      expect((await t.request('POST', cancel, formBody({}))).statusCode).toBe(410);
      expect((await getOrder(order.id)).status).toBe('backordered');
    } finally {
      clock.set(start);
    }
  });

  it("never opens an order with another store's secret, nor from another store's link", async () => {
    await put('XS-A', variant('backorder'));
    const order = await place([{ sku: 'XS-A', quantity: 1 }]);
    const foreignSecret = await secretOf(other.id);
    const forged = await signed('status', order.id, { secret: foreignSecret });
    expect((await t.request('GET', forged)).statusCode).toBe(403);
    const forgedCancel = await signed('cancel', order.id, { secret: foreignSecret });
    expect((await t.request('POST', forgedCancel)).statusCode).toBe(403);
    // The other store's genuine link names its own store: this store's order is not in it.
    const theirs = await signed('status', order.id, { storeId: other.id });
    const res = await t.request('GET', theirs);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('XS-A');
    expect(
      (await t.request('POST', await signed('cancel', order.id, { storeId: other.id }))).statusCode,
    ).toBe(404);
    expect((await getOrder(order.id)).status).toBe('backordered');
  });
});

describe('cancelling', () => {
  it('a status link cannot cancel, nor can a POST without a valid signature', async () => {
    await put('SC-A', variant('backorder'));
    const order = await place([{ sku: 'SC-A', quantity: 2 }]);
    const status = (await links(order.id)).status;
    const posted = await t.request('POST', status, formBody({}));
    expect(posted.statusCode).toBe(403);
    expect(posted.body).toContain('cannot change your order');
    const forged = await t.request(
      'POST',
      `/self-service?store=${store.id}&a=cancel&s=${order.id}`,
      formBody({}),
    );
    expect(forged.statusCode).toBe(403);
    const bodyOnly = await t.request(
      'POST',
      '/self-service',
      formBody({ store: store.id, a: 'cancel', s: order.id, exp: '9999999999', sig: 'x' }),
    );
    expect(bodyOnly.statusCode).toBe(403);
    const after = await getOrder(order.id);
    expect(after.lines[0]).toMatchObject({ backorderedQuantity: 2, cancelledQuantity: 0 });
  });

  it('GET shows a confirmation and changes nothing; POST cancels and the units go to the next in line', async () => {
    await put('CX-A', variant('backorder'));
    await restock('CX-A', 2);
    const first = await place([{ sku: 'CX-A', quantity: 2 }]);
    const second = await place([{ sku: 'CX-A', quantity: 1 }], { email: 'next@example.com' });
    expect(first.lines[0].allocatedQuantity).toBe(2);
    const cancelUrl = (await links(first.id)).cancel;

    const page = await t.request('GET', cancelUrl);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('This cancels 2 units not yet shipped');
    expect((await t.request('GET', cancelUrl)).statusCode).toBe(200);
    expect((await getOrder(first.id)).lines[0].allocatedQuantity).toBe(2);
    expect((await events('order.cancelled')).filter((e) => e.orderId === first.id)).toEqual([]);

    const [action] = formActions(page.body);
    const done = await t.request('POST', action!, formBody({}));
    expect(done.statusCode).toBe(200);
    expect(text(done.body)).toContain('We cancelled 2 units');
    expect((await getOrder(first.id)).status).toBe('cancelled');
    expect((await getOrder(second.id)).lines[0]).toMatchObject({
      allocatedQuantity: 1,
      backorderedQuantity: 0,
    });

    const again = await t.request('POST', action!, formBody({}));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Nothing left to cancel');
    expect((await events('order.cancelled')).filter((e) => e.orderId === first.id)).toHaveLength(1);
    expect(await level('CX-A')).toMatchObject({ allocated: 1, available: 1, backordered: 0 });
  });

  it("cancels one line from the status page's form, leaving the others", async () => {
    await put('CL-A', variant('backorder'));
    await put('CL-B', variant('backorder'));
    const order = await place([
      { sku: 'CL-A', quantity: 2 },
      { sku: 'CL-B', quantity: 1 },
    ]);
    const page = (await t.request('GET', (await links(order.id)).status)).body;
    const cancels = linkHrefs(page).filter((href) => href.includes('a=cancel'));
    // One link per line, then the whole order's; each opens a confirmation first.
    expect(cancels).toHaveLength(3);
    const lineLink = cancels.find((a) => a.includes(`line=${order.lines[1].id}`))!;
    const confirm = await t.request('GET', lineLink);
    expect(confirm.statusCode).toBe(200);
    expect((await getOrder(order.id)).lines[1].cancelledQuantity).toBe(0);
    const [lineForm] = formActions(confirm.body);
    expect((await t.request('POST', lineForm!, formBody({}))).statusCode).toBe(200);
    const after = await getOrder(order.id);
    expect(after.lines[0]).toMatchObject({ backorderedQuantity: 2, cancelledQuantity: 0 });
    expect(after.lines[1]).toMatchObject({ backorderedQuantity: 0, cancelledQuantity: 1 });
  });
});

describe('keeping a place in line', () => {
  it('records one backorder.kept event however often the form is sent, and none on GET', async () => {
    await put('KP-A', variant('backorder'));
    const order = await place([{ sku: 'KP-A', quantity: 2 }]);
    const lineId = order.lines[0].id;
    const url = await signed('keep', order.id, { lineId });
    const page = await t.request('GET', url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Keep waiting for');
    expect((await events('backorder.kept')).filter((e) => e.orderId === order.id)).toEqual([]);

    for (let i = 0; i < 2; i++) {
      const res = await t.request('POST', formActions(page.body)[0]!, formBody({}));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Thanks for waiting');
    }
    const kept = (await events('backorder.kept')).filter((e) => e.orderId === order.id);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ orderId: order.id, lineId, sku: 'KP-A' });
    expect((await getOrder(order.id)).lines[0].backorderedQuantity).toBe(2);
  });
});

describe('switching to an alternative', () => {
  let order: Json;
  let lineId: string;

  beforeAll(async () => {
    await put('SW-A', {
      ...variant('backorder'),
      title: 'Runner blue',
      productId: 'runner',
      tags: ['running'],
    });
    await put('SW-B', { ...variant('deny'), title: 'Runner red', productId: 'runner', price: 1200 });
    await put('SW-C', { ...variant('deny'), title: 'Trail runner', productId: 'trail', tags: ['running'] });
    await put('SW-D', { ...variant('deny'), title: 'Runner green', productId: 'runner' });
    await put('SW-E', { ...variant('deny'), title: 'Sandal', productId: 'sandal', tags: ['summer'] });
    await restock('SW-B', 5);
    await restock('SW-C', 5);
    await restock('SW-E', 5);
    order = await place([{ sku: 'SW-A', quantity: 2 }]);
    lineId = order.lines[0].id;
  });

  it('lists the alternatives that ship sooner, same product before shared tag', async () => {
    const status = (await t.request('GET', (await links(order.id)).status)).body;
    const [switchLink] = linkHrefs(status).filter((h) => h.includes('a=switch'));
    const page = await t.request('GET', switchLink!);
    expect(page.statusCode).toBe(200);
    const offered = [...page.body.matchAll(/name="sku" value="([^"]+)"/g)].map((m) => m[1]);
    // SW-D has no stock and may not wait; SW-E is unrelated.
    expect(offered).toEqual(['SW-B', 'SW-C']);
    expect(text(page.body)).toContain('Runner red SKU SW-B · $12.00 each · In stock');
  });

  it('refuses an item that is not offered, changing nothing', async () => {
    const url = await signed('switch', order.id, { lineId });
    const res = await t.request('POST', url, formBody({ sku: 'SW-E' }));
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Your order was not changed');
    expect((await getOrder(order.id)).lines[0].backorderedQuantity).toBe(2);
    expect((await level('SW-E')).available).toBe(5);
  });

  it('places the new order and cancels the waiting units, once however often it is sent', async () => {
    const url = await signed('switch', order.id, { lineId });
    const results = await Promise.all([
      t.request('POST', url, formBody({ sku: 'SW-B' })),
      t.request('POST', url, formBody({ sku: 'SW-B' })),
    ]);
    for (const res of results) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toContain('Switched');
    }
    const again = await t.request('POST', url, formBody({ sku: 'SW-B' }));
    expect(again.statusCode).toBe(200);

    // The new order's externalId names the old order by its number and the line by its place.
    const externalId = `${order.number}-switch-1`;
    const placed = (await t.request('GET', '/v1/orders?limit=500', { key: key() }))
      .json()
      .data.filter((o: Json) => o.externalId === externalId);
    expect(placed).toHaveLength(1);
    expect(placed[0].customer).toEqual(CUSTOMER);
    expect(placed[0].lines).toMatchObject([{ sku: 'SW-B', quantity: 2, allocatedQuantity: 2 }]);
    expect((await level('SW-B')).available).toBe(3);
    expect((await getOrder(order.id)).lines[0]).toMatchObject({
      backorderedQuantity: 0,
      cancelledQuantity: 2,
    });
    const switched = (await events('order.line.switched')).filter((e) => e.orderId === order.id);
    expect(switched).toEqual([
      { orderId: order.id, lineId, sku: 'SW-A', newOrderId: placed[0].id, newSku: 'SW-B', quantity: 2 },
    ]);
    expect((await events('order.cancelled')).filter((e) => e.orderId === order.id)).toHaveLength(1);
  });

  it("changes nothing when the alternative's backorder limit is reached", async () => {
    await put('SL-A', { ...variant('backorder'), productId: 'lamp' });
    // Promised earlier than SL-A's lead-time date, but only 2 units may wait.
    await put('SL-B', {
      ...variant('backorder', 2),
      productId: 'lamp',
      backorder: { mode: 'backorder', limit: 2, expectedDate: '2026-03-15' },
    });
    const waiting = await place([{ sku: 'SL-A', quantity: 2 }]);
    const url = await signed('switch', waiting.id, { lineId: waiting.lines[0].id });
    expect((await t.request('GET', url)).body).toContain('value="SL-B"');
    await place([{ sku: 'SL-B', quantity: 1 }], { email: 'quick@example.com' });

    const res = await t.request('POST', url, formBody({ sku: 'SL-B' }));
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Your order was not changed');
    expect((await getOrder(waiting.id)).lines[0]).toMatchObject({
      backorderedQuantity: 2,
      cancelledQuantity: 0,
    });
    expect(await level('SL-B')).toMatchObject({ backordered: 1 });
    expect((await events('order.line.switched')).filter((e) => e.orderId === waiting.id)).toEqual([]);
  });

  it('changes nothing when the limit is reached between the check and the placement', async () => {
    await put('SR-A', { ...variant('backorder'), productId: 'kettle' });
    await put('SR-B', {
      title: 'Kettle red',
      price: 1000,
      productId: 'kettle',
      backorder: { mode: 'backorder', limit: 2, expectedDate: '2026-03-15' },
    });
    const waiting = await place([{ sku: 'SR-A', quantity: 2 }]);
    const deps = t.app.deps;
    const real = new OrderPlacement(deps);
    const scope = { id: store.id, currency: 'USD', timezone: 'UTC' };
    // Another shopper's order lands just before the switch's own placement.
    const racing = {
      place: async (request: Parameters<OrderPlacement['place']>[0]) => {
        await real.place({
          store: scope,
          input: { lines: [{ sku: 'SR-B', quantity: 1 }] },
          idempotency: null,
        });
        return real.place(request);
      },
    } as OrderPlacement;
    const outcome = await switchLine(deps, racing, scope, waiting.id, waiting.lines[0].id, 'SR-B');
    expect(outcome).toMatchObject({ kind: 'refused', code: 'insufficient_stock' });
    expect((await getOrder(waiting.id)).lines[0]).toMatchObject({
      backorderedQuantity: 2,
      cancelledQuantity: 0,
    });
    expect(await level('SR-B')).toMatchObject({ backordered: 1 });
    expect((await events('order.cancelled')).filter((e) => e.orderId === waiting.id)).toEqual([]);
  });
});

describe('message preferences', () => {
  it("saves the choices for the order's email and phone, and shows them next time", async () => {
    await put('PF-A', variant('backorder'));
    const customer = { email: 'pref@example.com', phone: '+15550123' };
    const order = await place([{ sku: 'PF-A', quantity: 1 }], customer);
    const url = (await links(order.id)).preferences;
    const page = await t.request('GET', url);
    expect(page.statusCode).toBe(200);
    for (const name of ['email', 'sms', 'updates']) {
      expect(page.body).toMatch(
        new RegExp(`<input type="checkbox" id="pref-${name}" name="${name}" value="on" checked>`),
      );
      expect(page.body).toContain(`<label for="pref-${name}">`);
    }
    expect(await contactRows(store.id)).not.toContainEqual(
      expect.objectContaining({ contact: 'pref@example.com' }),
    );

    const saved = await t.request('POST', formActions(page.body)[0]!, formBody({ email: 'on' }));
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Your choices are saved');
    const rows = (await contactRows(store.id)).filter((r) => Object.values(customer).includes(r.contact));
    expect(rows).toEqual([
      { contact: '+15550123', email: true, sms: false, unsubscribed: true },
      { contact: 'pref@example.com', email: true, sms: false, unsubscribed: true },
    ]);
    const next = (await t.request('GET', url)).body;
    expect(next).toContain('name="email" value="on" checked>');
    expect(next).toContain('name="sms" value="on">');
    expect(next).toContain('name="updates" value="on">');
    expect(await contactRows(other.id)).toEqual([]);
  });
});

describe('unsubscribing', () => {
  it('confirms on GET, and unsubscribes on POST, including RFC 8058 one-click', async () => {
    const url = await signed('unsubscribe', 'news@example.com');
    const page = await t.request('GET', url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('news@example.com');
    expect((await contactRows(store.id)).map((r) => r.contact)).not.toContain('news@example.com');

    const res = await t.request('POST', url, formBody({ 'List-Unsubscribe': 'One-Click' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    expect(await contactRows(store.id)).toContainEqual({
      contact: 'news@example.com',
      email: true,
      sms: true,
      unsubscribed: true,
    });

    const boundary = 'b0undary';
    const multipart = await t.request('POST', await signed('unsubscribe', '+15550999'), {
      rawBody: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(multipart.statusCode).toBe(200);
    expect(await contactRows(store.id)).toContainEqual(
      expect.objectContaining({ contact: '+15550999', unsubscribed: true }),
    );
  });

  it('is refused without a valid signature', async () => {
    const url = await signed('unsubscribe', 'keep-me@example.com', { secret: await secretOf(other.id) });
    expect((await t.request('POST', url, formBody({ 'List-Unsubscribe': 'One-Click' }))).statusCode).toBe(
      403,
    );
    expect((await contactRows(store.id)).map((r) => r.contact)).not.toContain('keep-me@example.com');
  });
});

describe('links for customer service', () => {
  it("signs status, cancel and preferences links for 90 days, only for the store's own orders", async () => {
    await put('LK-A', variant('backorder'));
    const order = await place([{ sku: 'LK-A', quantity: 1 }]);
    const res = await t.request('POST', `/v1/orders/${order.id}/self-service-links`, { key: key() });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toMatch(/^http:\/\/localhost(:\d+)?\/self-service\?/);
    const expiry = Math.floor(clock.now().getTime() / 1000) + 90 * 86_400;
    expect(body.expiresAt).toBe(new Date(expiry * 1000).toISOString());
    for (const [action, url] of Object.entries({
      status: body.status,
      cancel: body.cancel,
      preferences: body.preferences,
    })) {
      const params = new URL(url as string).searchParams;
      expect(params.get('a')).toBe(action);
      expect(params.get('s')).toBe(order.id);
      expect(params.get('exp')).toBe(String(expiry));
    }

    const foreign = await t.request('POST', `/v1/orders/${order.id}/self-service-links`, {
      key: other.secretKey,
    });
    expect(foreign.statusCode).toBe(404);
    expect((await t.request('POST', `/v1/orders/${order.id}/self-service-links`)).statusCode).toBe(401);
    const publishable = await t.request('POST', `/v1/orders/${order.id}/self-service-links`, {
      key: store.publishableKey,
    });
    expect(publishable.statusCode).toBe(403);
  });

  it("uses the store's public URL when it has one", async () => {
    const theirs = { key: other.secretKey };
    await t.request('PUT', '/v1/variants/LK-B', { ...theirs, body: variant('backorder') });
    const placed = await t.request('POST', '/v1/orders', {
      ...theirs,
      body: { lines: [{ sku: 'LK-B', quantity: 1 }] },
    });
    expect(placed.statusCode).toBe(201);
    await secretOf(other.id);
    await t.app.deps.db.execute(
      sql`UPDATE messaging_settings SET public_url = 'https://orders.example.com' WHERE store_id = ${other.id}`,
    );
    const res = await t.request('POST', `/v1/orders/${placed.json().id}/self-service-links`, theirs);
    expect(res.json().status).toMatch(/^https:\/\/orders\.example\.com\/self-service\?store=/);
    await put('LK-C', variant('backorder'));
    const mine = await place([{ sku: 'LK-C', quantity: 1 }]);
    const own = await t.request('POST', `/v1/orders/${mine.id}/self-service-links`, { key: key() });
    expect(own.json().status).toMatch(/^http:\/\/localhost/);
  });

  it('documents the pages and the endpoint in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json();
    expect(doc.paths['/self-service'].get.tags).toEqual(['Self-service']);
    expect(doc.paths['/self-service'].get.responses['200'].content).toHaveProperty('text/html');
    expect(doc.paths['/v1/orders/{id}/self-service-links'].post.responses['200'].content).toHaveProperty(
      'application/json',
    );
  });
});

describe('variant tags', () => {
  it('are stored, returned, and validated', async () => {
    const created = await put('TG-A', { ...variant('backorder'), tags: ['running', 'vegan-leather', 'été'] });
    expect(created.tags).toEqual(['running', 'vegan-leather', 'été']);
    expect((await put('TG-A', variant('backorder'))).tags).toEqual([]);
    for (const tags of [
      ['Running'],
      [''],
      ['x'.repeat(51)],
      ['a', 'a'],
      Array.from({ length: 21 }, (_, i) => `t${i}`),
    ]) {
      const res = await t.request('PUT', '/v1/variants/TG-A', {
        key: key(),
        body: { ...variant('backorder'), tags },
      });
      expect(res.statusCode, JSON.stringify(tags)).toBe(422);
    }
  });
});
