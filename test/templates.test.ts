/**
 * Message templates over HTTP: the list of defaults, saving a checked template (and refusing a
 * bad one without writing anything), previews of drafts and of the current template, going back
 * to the default, and one store never seeing another's templates — down to what delivery renders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../src/db/client.ts';
import { sampleContext } from '../src/modules/templates/templates.samples.ts';
import { renderMessage } from '../src/modules/templates/templates.usecases.ts';
import { type StoreKeys, startTestApp, type TestApp } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let a: StoreKeys;
let b: StoreKeys;

beforeAll(async () => {
  t = await startTestApp();
  a = await t.createStore('Store A');
  b = await t.createStore('Store B');
});
afterAll(() => t.close());

const url = (kind: string, channel: string) => `/v1/message-templates/${kind}/${channel}`;
async function ok(res: { statusCode: number; body: string }, status = 200): Promise<Json> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return status === 204 ? null : JSON.parse(res.body);
}
const get = async (store: StoreKeys, path: string) =>
  ok(await t.request('GET', path, { key: store.secretKey }));
const put = (store: StoreKeys, kind: string, channel: string, body: unknown) =>
  t.request('PUT', url(kind, channel), { key: store.secretKey, body });
const preview = (store: StoreKeys, body: unknown) =>
  t.request('POST', '/v1/message-templates/preview', { key: store.secretKey, body });

const SHIPPED = {
  subject: '{{ store.name }}: {{ order.externalId }} is on its way',
  body: 'Hi {{ customer.name }}, tracking: {{ shipment.trackingNumber }}. {{ links.status }}',
};

describe('message templates', () => {
  it('lists every kind × channel with its defaults and variables', async () => {
    const { data } = await get(a, '/v1/message-templates');
    expect(data).toHaveLength(19);
    expect(data.every((x: Json) => x.source === 'default' && x.updatedAt === null)).toBe(true);
    expect(data.find((x: Json) => x.kind === 'merchant_digest' && x.channel === 'sms')).toBeUndefined();
    const confirmation = data.find((x: Json) => x.kind === 'order_confirmation' && x.channel === 'email');
    expect(confirmation.subject).toContain('{{ order.number }}');
    expect(confirmation.html).toMatch(/^<!doctype html>/);
    expect(confirmation.variables).toContain('order.backorderedLines[].eta');
    expect(confirmation.variables).not.toContain('delay.eta');
    const sms = data.find((x: Json) => x.kind === 'status_update' && x.channel === 'sms');
    expect(sms).toMatchObject({ subject: null, html: null });
    expect(sms.body).toContain('{{ links.unsubscribe }}');
    expect(await get(a, url('order_confirmation', 'email'))).toEqual(confirmation);
  });

  it('saves a valid template, idempotently, and delivery renders it', async () => {
    const saved = await ok(await put(a, 'shipped', 'email', SHIPPED));
    expect(saved).toMatchObject({
      kind: 'shipped',
      channel: 'email',
      source: 'custom',
      ...SHIPPED,
      html: null,
    });
    expect(Date.parse(saved.updatedAt)).not.toBeNaN();
    const again = await ok(await put(a, 'shipped', 'email', SHIPPED));
    expect(again).toMatchObject({ source: 'custom', ...SHIPPED });
    expect(await get(a, url('shipped', 'email'))).toEqual(again);
    const { data } = await get(a, '/v1/message-templates');
    expect(
      data.filter((x: Json) => x.source === 'custom').map((x: Json) => `${x.kind}/${x.channel}`),
    ).toEqual(['shipped/email']);

    const context = sampleContext('shipped');
    const rendered = await inTransaction(t.app.deps.db, (tx) =>
      renderMessage(tx, a.id, 'shipped', 'email', context),
    );
    expect(rendered.subject).toBe('Analytical Engine Works: #1842 is on its way');
    expect(rendered.body).toBe(`Hi Ada Lovelace, tracking: RM123456785GB. ${context.links.status}`);
    expect(rendered.html).toContain(`<a href="${context.links.status}">`);
  });

  it('refuses an invalid template with every problem, and changes nothing', async () => {
    const before = await get(a, url('shipped', 'email'));
    const res = await put(a, 'shipped', 'email', {
      subject: 'Hi {{ customer.nmae }}',
      body: '{% include "footer" %}',
      html: '<p>{{ delay.eta }}</p>',
    });
    const problem = expectProblem(res, 422, 'template_invalid');
    expect(problem.errors).toEqual([
      { path: '/subject', message: expect.stringContaining('unknown variable "customer.nmae"') },
      { path: '/body', message: expect.stringContaining('the "include" tag is not allowed') },
      { path: '/html', message: expect.stringContaining('"delay" is not available in shipped messages') },
    ]);
    expect(await get(a, url('shipped', 'email'))).toEqual(before);

    // A status update must carry the unsubscribe link; an SMS has no subject.
    const noOptOut = await put(a, 'status_update', 'sms', {
      subject: 'x',
      body: 'Still waiting, {{ customer.name }}',
    });
    expect(expectProblem(noOptOut, 422, 'template_invalid').errors.map((e: Json) => e.path)).toEqual([
      '/subject',
      '/body',
    ]);
    expect((await get(a, url('status_update', 'sms'))).source).toBe('default');
  });

  it('answers 404 for a pair without templates and 422 for unknown kinds or fields', async () => {
    expectProblem(await put(a, 'merchant_digest', 'sms', { body: 'x' }), 404, 'not_found');
    expectProblem(
      await t.request('GET', url('merchant_digest', 'sms'), { key: a.secretKey }),
      404,
      'not_found',
    );
    expectProblem(await put(a, 'webhook', 'email', { body: 'x' }), 422, 'validation_failed');
    expectProblem(await put(a, 'shipped', 'fax', { body: 'x' }), 422, 'validation_failed');
    expectProblem(await put(a, 'shipped', 'sms', { body: 'x', extra: 1 }), 422, 'validation_failed');
    expectProblem(await put(a, 'shipped', 'sms', {}), 422, 'validation_failed');
    expectProblem(await t.request('GET', '/v1/message-templates'), 401);
    expectProblem(await t.request('GET', '/v1/message-templates', { key: a.publishableKey }), 403);
  });

  it('previews a draft, or the current template, with sample data and saves nothing', async () => {
    const draft = await ok(
      await preview(a, {
        kind: 'order_confirmation',
        channel: 'email',
        subject: 'Thanks, {{ customer.name }}',
        body: '{% for line in order.backorderedLines %}{{ line.title }} by {{ line.eta }}{% endfor %}',
        html: '<b>{{ customer.name }}</b>',
      }),
    );
    expect(draft).toMatchObject({
      subject: 'Thanks, Ada Lovelace',
      body: 'Difference engine kit by 2026-04-28',
      html: '<b>Ada Lovelace</b>',
      sample: { customer: { name: 'Ada Lovelace' }, order: { externalId: '#1842' } },
    });
    expect((await get(a, url('order_confirmation', 'email'))).source).toBe('default');

    const current = await ok(await preview(a, { kind: 'shipped', channel: 'email' }));
    expect(current.subject).toBe('Analytical Engine Works: #1842 is on its way');
    const byDefault = await ok(await preview(b, { kind: 'shipped', channel: 'email' }));
    expect(byDefault.subject).toBe('Items from your order #1842 have shipped');

    const sms = await ok(
      await preview(a, {
        kind: 'stock_alert',
        channel: 'sms',
        body: '{{ alert.title }} {{ links.unsubscribe }}',
      }),
    );
    expect(sms).toMatchObject({
      subject: null,
      html: null,
      body: expect.stringMatching(/^Difference engine kit https:/),
    });

    const bad = await preview(a, {
      kind: 'shipped',
      channel: 'sms',
      body: '{% for i in (1..100000000) %}{% endfor %}',
    });
    expect(expectProblem(bad, 422, 'template_invalid').errors[0].path).toBe('/body');
    expectProblem(
      await preview(a, { kind: 'shipped', channel: 'email', subject: 'x' }),
      422,
      'template_invalid',
    );
    expectProblem(await preview(a, { kind: 'merchant_digest', channel: 'sms' }), 404, 'not_found');
  });

  it('goes back to the default', async () => {
    await ok(await put(a, 'refunded', 'sms', { body: 'Refunded {{ refund.amount }}' }));
    expect((await get(a, url('refunded', 'sms'))).source).toBe('custom');
    const deleted = await t.request('DELETE', url('refunded', 'sms'), { key: a.secretKey });
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    const reset = await get(a, url('refunded', 'sms'));
    expect(reset.source).toBe('default');
    expect(reset.body).toContain('we have refunded {{ refund.amount }}');
    // Nothing left to delete is fine too.
    await ok(await t.request('DELETE', url('refunded', 'sms'), { key: a.secretKey }), 204);
  });

  it('are documented in the OpenAPI document', async () => {
    const doc = await ok(await t.request('GET', '/openapi.json'));
    const paths = doc.paths;
    expect(Object.keys(paths['/v1/message-templates/{kind}/{channel}']).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
    expect(
      paths['/v1/message-templates/preview'].post.requestBody.content['application/json'].schema,
    ).toBeDefined();
    expect(paths['/v1/message-templates'].get.tags).toEqual(['Message templates']);
  });

  it('keeps each store to its own templates', async () => {
    await ok(await put(a, 'cancelled', 'sms', { body: 'A cancelled {{ order.externalId }}' }));
    const { data } = await get(b, '/v1/message-templates');
    expect(data.every((x: Json) => x.source === 'default')).toBe(true);
    expect((await get(b, url('shipped', 'email'))).source).toBe('default');
    // B's reset does not touch A's template; B's save does not replace it.
    await ok(await t.request('DELETE', url('cancelled', 'sms'), { key: b.secretKey }), 204);
    await ok(await put(b, 'cancelled', 'sms', { body: 'B cancelled {{ order.externalId }}' }));
    expect((await get(a, url('cancelled', 'sms'))).body).toBe('A cancelled {{ order.externalId }}');
    expect((await get(b, url('cancelled', 'sms'))).body).toBe('B cancelled {{ order.externalId }}');

    const context = sampleContext('cancelled');
    const render = (
      ...args: Parameters<typeof renderMessage> extends [unknown, ...infer Rest] ? Rest : never
    ) => inTransaction(t.app.deps.db, (tx) => renderMessage(tx, ...args));
    expect((await render(a.id, 'cancelled', 'sms', context)).body).toBe('A cancelled #1842');
    expect((await render(b.id, 'cancelled', 'sms', context)).body).toBe('B cancelled #1842');
    expect((await render(b.id, 'shipped', 'email', sampleContext('shipped'))).subject).toBe(
      'Items from your order #1842 have shipped',
    );
  });
});
