/**
 * What the shopper's order page says, over HTTP: the reason for each line's date in words (the
 * orders ahead and the supply awaited: a purchase order, the supplier's lead time, the store's
 * date, a release), the history of date changes, refunds promised only where they follow, the
 * shopper's language, and nothing unescaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const clock = new ManualClock(new Date('2026-03-10T12:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

async function call(store: StoreKeys, method: 'GET' | 'PUT' | 'PATCH' | 'POST', url: string, body?: unknown) {
  const res = await t.request(method, url, { key: store.secretKey, ...(body === undefined ? {} : { body }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? (res.json() as Json) : null;
}

const path = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function statusPage(
  store: StoreKeys,
  orderId: string,
  headers: Record<string, string> = {},
  query = '',
) {
  const links = await call(store, 'POST', `/v1/orders/${orderId}/self-service-links`);
  const res = await t.request('GET', `${path(links.status)}${query}`, { headers });
  expect(res.statusCode).toBe(200);
  return { html: res.body, links };
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:])/g, '$1');

/** The text of each line's card, in order. */
const cards = (html: string) => html.split('<li class="line').slice(1).map(text);

const place = (store: StoreKeys, lines: { sku: string; quantity: number }[], email = 'ada@example.com') =>
  call(store, 'POST', '/v1/orders', { customer: { email }, lines });

describe('the reason for each date', () => {
  it('names the orders ahead and what they all wait for', async () => {
    const store = await t.createStore('Reason Shop');
    const supplier = await call(store, 'POST', '/v1/suppliers', { name: 'Mill', leadTimeDays: 21 });
    // On a purchase order due 20 March (3 units), then the supplier's lead time (21 days: 31 March).
    await call(store, 'PUT', '/v1/variants/PO', {
      ...variant('backorder'),
      title: 'Scarf',
      supplierId: supplier.id,
    });
    await call(store, 'POST', '/v1/purchase-orders', {
      supplierId: supplier.id,
      expectedDate: '2026-03-20',
      lines: [{ sku: 'PO', quantity: 3, unitCost: 100 }],
    });
    // The store's own date, and a pre-order released after its stock arrives.
    await call(store, 'PUT', '/v1/variants/MD', {
      ...variant('backorder'),
      title: 'Gloves',
      backorder: { mode: 'backorder', expectedDate: '2026-04-02' },
    });
    await call(store, 'PUT', '/v1/variants/PRE', {
      ...variant('preorder'),
      title: 'Album',
      backorder: { mode: 'preorder', expectedDate: '2026-03-15', releaseDate: '2026-05-01' },
    });
    const first = await place(store, [{ sku: 'PO', quantity: 2 }], 'first@example.com');
    const second = await place(store, [
      { sku: 'PO', quantity: 1 },
      { sku: 'MD', quantity: 1 },
      { sku: 'PRE', quantity: 1 },
    ]);
    const third = await place(store, [{ sku: 'PO', quantity: 1 }], 'third@example.com');

    const [scarf, gloves, album] = cards((await statusPage(store, second.id)).html);
    expect(scarf).toContain("1 order is ahead of you; the supplier's shipment is due on 20 March 2026.");
    expect(gloves).toContain('You are next in line; the store expects new stock on 2 April 2026.');
    expect(album).toContain('You are next in line; it is released on 1 May 2026.');
    expect(cards((await statusPage(store, first.id)).html)[0]).toContain(
      "You are next in line; the supplier's shipment is due on 20 March 2026.",
    );
    // Past the purchase order's 3 units: the lead time.
    expect(cards((await statusPage(store, third.id)).html)[0]).toContain(
      '2 orders are ahead of you; new stock is expected from the supplier by 31 March 2026.',
    );
  });

  it('says an item is ready, shipped or cancelled, and offers only what can still be done', async () => {
    const store = await t.createStore('State Shop');
    for (const sku of ['A', 'B', 'C', 'D'])
      await call(store, 'PUT', `/v1/variants/${sku}`, variant('backorder'));
    for (const sku of ['A', 'B', 'C']) {
      await call(store, 'POST', '/v1/inventory/adjustments', { sku, quantity: 1, reason: 'restock' });
    }
    const order = await place(
      store,
      ['A', 'B', 'C', 'D'].map((sku) => ({ sku, quantity: 1 })),
    );
    await call(store, 'POST', `/v1/orders/${order.id}/shipments`, {
      lines: [{ lineId: order.lines[1].id, quantity: 1 }],
    });
    await call(store, 'POST', `/v1/orders/${order.id}/cancel`, {
      lines: [{ lineId: order.lines[2].id, quantity: 1 }],
    });
    const { html } = await statusPage(store, order.id);
    const [ready, shipped, cancelled, waiting] = cards(html);
    expect(ready).toContain('Ready to ship');
    expect(ready).toContain('In stock and set aside for you');
    expect(ready).toMatch(/Cancel this item/);
    expect(ready).not.toMatch(/Keep waiting|Switch/);
    expect(shipped).toContain('On its way to you.');
    expect(cancelled).toContain('Cancelled: nothing more will ship.');
    for (const done of [shipped, cancelled]) expect(done).not.toMatch(/Cancel this item|Keep waiting|Switch/);
    expect(waiting).toMatch(/Keep waiting.*Switch to a similar item.*Cancel this item/);
  });
});

describe('the date history', () => {
  it('lists the first promise and every move, later or sooner', async () => {
    const store = await t.createStore('History Shop');
    const put = (expectedDate: string) =>
      call(store, 'PUT', '/v1/variants/H', {
        ...variant('backorder'),
        title: 'Lamp',
        backorder: { mode: 'backorder', expectedDate },
      });
    await put('2026-04-01');
    const order = await place(store, [{ sku: 'H', quantity: 1 }]);
    expect(cards((await statusPage(store, order.id)).html)[0]).toContain(
      'The date has not changed since you ordered.',
    );
    clock.advance(2 * 86_400_000);
    await put('2026-04-10');
    clock.advance(86_400_000);
    await put('2026-04-05');
    try {
      const [lamp] = cards((await statusPage(store, order.id)).html);
      expect(lamp).toContain(
        'Date changes 10 March 2026: first promised to ship by 1 April 2026 ' +
          '12 March 2026: moved to 10 April 2026 (9 days later) ' +
          '13 March 2026: moved forward to 5 April 2026 (5 days sooner)',
      );
      // The same in German.
      const de = cards((await statusPage(store, order.id, { 'accept-language': 'de-DE,de;q=0.9' })).html)[0];
      expect(de).toContain('12. März 2026: verschoben auf 10. April 2026 (9 Tage später)');
    } finally {
      clock.set(new Date('2026-03-10T12:00:00Z'));
    }
  });
});

describe('refund wording', () => {
  async function orderIn(store: StoreKeys) {
    await call(store, 'PUT', '/v1/variants/R', { ...variant('backorder'), title: 'Red', productId: 'r' });
    await call(store, 'PUT', '/v1/variants/R2', { ...variant('deny'), title: 'Blue', productId: 'r' });
    await call(store, 'POST', '/v1/inventory/adjustments', { sku: 'R2', quantity: 5, reason: 'restock' });
    return place(store, [{ sku: 'R', quantity: 1 }]);
  }
  const pagesOf = async (store: StoreKeys, orderId: string) => {
    const { html, links } = await statusPage(store, orderId);
    const pages = [html, (await t.request('GET', path(links.cancel))).body];
    const [switchHref] = [...html.matchAll(/href="(\?[^"]*a=switch[^"]*)"/g)].map((m) =>
      m[1]!.replaceAll('&amp;', '&'),
    );
    pages.push((await t.request('GET', `/self-service${switchHref}`)).body);
    return pages.join('\n');
  };

  it('promises none where Backfill does not manage the money and the store says nothing', async () => {
    const store = await t.createStore('Plain Shop');
    const order = await orderIn(store);
    const pages = await pagesOf(store, order.id);
    expect(pages).toContain('Switch Red to a similar item');
    expect(pages).not.toMatch(/refund/i);
  });

  it('says refunds are automatic where the store says so', async () => {
    const store = await t.createStore('Automatic Shop');
    await call(store, 'PATCH', '/v1/settings/messaging', { refundsAutomatic: true });
    const order = await orderIn(store);
    const pages = await pagesOf(store, order.id);
    expect(pages.match(/refunded automatically/g)?.length).toBe(3);
  });
});

describe("the shopper's language", () => {
  it('follows Accept-Language, keeps its region for dates, and yields to ?lang=', async () => {
    const store = await t.createStore('Langue Shop');
    await call(store, 'PUT', '/v1/variants/L', {
      ...variant('backorder'),
      title: 'Bol',
      backorder: { mode: 'backorder', expectedDate: '2026-04-02' },
    });
    const order = await place(store, [{ sku: 'L', quantity: 2 }]);
    const fr = await statusPage(store, order.id, { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' });
    expect(fr.html).toMatch(/^<!doctype html><html lang="fr">/);
    expect(text(fr.html)).toContain('Votre commande');
    expect(text(fr.html)).toContain('la boutique attend du stock le 2 avril 2026');
    const us = await statusPage(store, order.id, { 'accept-language': 'en-US' });
    expect(text(us.html)).toContain('the store expects new stock on April 2, 2026');
    const other = await statusPage(store, order.id, { 'accept-language': 'ja,zh;q=0.8' });
    expect(other.html).toMatch(/<html lang="en">/);
    const asked = await statusPage(store, order.id, { 'accept-language': 'fr' }, '&lang=de');
    expect(asked.html).toMatch(/<html lang="de">/);
    expect(text(asked.html)).toContain('der Shop erwartet neue Ware am 2. April 2026');
    // Its links and forms keep the language.
    const hrefs = [...asked.html.matchAll(/(?:href|action)="(\?[^"]+)"/g)].map((m) => m[1]!);
    const actions = hrefs.filter((h) => /a=(keep|switch|cancel|preferences)/.test(h));
    expect(actions.length).toBeGreaterThanOrEqual(4);
    for (const href of actions) expect(href).toContain('lang=de');
    const cancel = await t.request(
      'GET',
      `/self-service${actions.find((h) => h.includes('a=cancel'))!.replaceAll('&amp;', '&')}`,
    );
    expect(text(cancel.body)).toContain('Ja, stornieren');
  });
});

describe('escaping', () => {
  it('shows titles and names as text, never as markup', async () => {
    const store = await t.createStore('<b>Evil</b> & Co');
    await call(store, 'PUT', '/v1/variants/X', {
      ...variant('backorder'),
      title: '<img src=x onerror=alert(1)>',
    });
    const order = await place(store, [{ sku: 'X', quantity: 1 }]);
    const { html } = await statusPage(store, order.id);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>Evil</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;Evil&lt;/b&gt; &amp; Co');
  });
});
