/**
 * Self-service link keys: the secret that signs a store's links can be rotated, and links already
 * sent keep opening for the store's grace period (then 403, as a forgery would); how long a link
 * lives is a store setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

const DAY = 86_400_000;
const clock = new ManualClock(new Date('2026-09-01T08:00:00Z'));
let t: TestApp;
let store: StoreKeys;

beforeAll(async () => {
  t = await startTestApp({ clock });
  store = await t.createStore('Link Shop');
  await t.request('PUT', '/v1/variants/L-1', { key: store.secretKey, body: variant('backorder') });
});
afterAll(() => t.close());

const settings = (body: unknown) =>
  t.request('PATCH', '/v1/settings/messaging', { key: store.secretKey, body });

async function orderLinks(): Promise<{ status: string; expiresAt: string }> {
  const order = await t.request('POST', '/v1/orders', {
    key: store.secretKey,
    body: { lines: [{ sku: 'L-1', quantity: 1 }] },
  });
  const res = await t.request('POST', `/v1/orders/${order.json().id}/self-service-links`, {
    key: store.secretKey,
  });
  expect(res.statusCode, res.body).toBe(200);
  const { status, expiresAt } = res.json();
  const url = new URL(status);
  return { status: `${url.pathname}${url.search}`, expiresAt };
}

const open = async (path: string) => (await t.request('GET', path)).statusCode;

describe('link lifetime', () => {
  it('is a store setting (90 days unless set)', async () => {
    const before = await orderLinks();
    expect(Date.parse(before.expiresAt)).toBe(clock.now().getTime() + 90 * DAY);
    const res = await settings({ linkLifetimeDays: 10 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ linkLifetimeDays: 10 });
    const after = await orderLinks();
    expect(Date.parse(after.expiresAt)).toBe(clock.now().getTime() + 10 * DAY);
    expectProblem(await settings({ linkLifetimeDays: 0 }), 422, 'validation_failed');
    expectProblem(await settings({ linkLifetimeDays: 366 }), 422, 'validation_failed');
    await settings({ linkLifetimeDays: 90 });
  });
});

describe('rotating the link secret', () => {
  it('signs new links with a new secret; links already sent open until the grace period ends', async () => {
    const sent = await orderLinks();
    expect(await open(sent.status)).toBe(200);
    const rotated = await settings({ rotateLinkSecret: true, linkSecretGraceDays: 2 });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json()).toMatchObject({
      linkSecretGraceDays: 2,
      linkSecretRotatedAt: clock.now().toISOString(),
      previousLinkSecretValidUntil: new Date(clock.now().getTime() + 2 * DAY).toISOString(),
    });
    const fresh = await orderLinks();
    expect(new URL(fresh.status, 'http://x').searchParams.get('sig')).not.toBe(
      new URL(sent.status, 'http://x').searchParams.get('sig'),
    );
    const start = clock.now();
    try {
      expect(await open(sent.status)).toBe(200);
      expect(await open(fresh.status)).toBe(200);
      clock.advance(2 * DAY + 1000);
      expect(await open(sent.status)).toBe(403);
      expect(await open(fresh.status)).toBe(200);
      expect((await settings({ linkLifetimeDays: 90 })).json().previousLinkSecretValidUntil).not.toBeNull();
    } finally {
      clock.set(start);
    }
  });

  it('with no grace, links already sent stop at once (a leaked secret); a second rotation drops the first', async () => {
    const sent = await orderLinks();
    expect((await settings({ rotateLinkSecret: true, linkSecretGraceDays: 0 })).json()).toMatchObject({
      previousLinkSecretValidUntil: null,
    });
    expect(await open(sent.status)).toBe(403);

    await settings({ linkSecretGraceDays: 7 });
    const first = await orderLinks();
    await settings({ rotateLinkSecret: true });
    const second = await orderLinks();
    await settings({ rotateLinkSecret: true });
    expect(await open(second.status)).toBe(200); // signed with the secret just replaced
    expect(await open(first.status)).toBe(403); // two rotations ago
  });
});
