import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualProvider } from '../src/modules/payments/payments.provider.manual.ts';
import { createStripeProvider } from '../src/modules/payments/payments.provider.stripe.ts';
import { type PaymentProvider, ProviderUnavailable } from '../src/modules/payments/payments.providers.ts';
import { type FakeStripe, startFakeStripe } from './support/fake-stripe.ts';

const EUR = (amount: number) => ({ amount, currency: 'EUR' });
let fake: FakeStripe;
let stripe: PaymentProvider;
let attempts = 0;
/** A fresh attempt key, shaped like the ones derived from (order, line, attempt). */
const key = () => `ord_1:line_${++attempts}:1`;
const sent = (idempotencyKey: string) => fake.requests.filter((r) => r.idempotencyKey === idempotencyKey);
const chargesOf = (paymentIntent: string) => fake.charges.filter((c) => c.paymentIntent === paymentIntent);
const card = { paymentMethodId: 'pm_card_visa', customerId: 'cus_123' };

async function unavailable(call: Promise<unknown>): Promise<ProviderUnavailable> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderUnavailable);
  return error as ProviderUnavailable;
}

async function authorised(amount = 1000) {
  const idempotencyKey = key();
  const outcome = await stripe.authorise({ idempotencyKey, amount: EUR(amount), ...card });
  if (outcome.status !== 'succeeded') throw new Error(`not authorised: ${outcome.status}`);
  return { idempotencyKey, paymentId: outcome.result.paymentId };
}

beforeAll(async () => {
  fake = await startFakeStripe();
  stripe = createStripeProvider({
    secretKey: 'sk_test_backfill',
    host: fake.host,
    port: fake.port,
    protocol: 'http',
    timeoutMs: 800,
  });
});
afterAll(() => fake.close());

describe('stripe provider: the requests it sends', () => {
  it('authorises with a manual-capture PaymentIntent carrying the attempt key', async () => {
    const idempotencyKey = key();
    const outcome = await stripe.authorise({
      idempotencyKey,
      amount: EUR(2500),
      ...card,
      metadata: { orderId: 'ord_1' },
    });
    const [request] = sent(idempotencyKey);
    expect(request).toMatchObject({ method: 'POST', path: '/v1/payment_intents' });
    expect(request!.headers['idempotency-key']).toBe(idempotencyKey);
    expect(request!.form).toEqual({
      amount: '2500',
      currency: 'eur',
      capture_method: 'manual',
      confirm: 'true',
      payment_method: 'pm_card_visa',
      customer: 'cus_123',
      allowed_payment_method_types: { 0: 'card' },
      metadata: { orderId: 'ord_1', attempt: idempotencyKey },
    });
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        paymentId: expect.stringMatching(/^pi_/),
        state: 'authorised',
        currency: 'EUR',
        amount: 2500,
        capturableAmount: 2500,
        capturedAmount: 0,
        attempt: idempotencyKey,
      },
    });
  });

  it('captures part of a hold with amount_to_capture; the rest is released', async () => {
    const { paymentId } = await authorised(1000);
    const idempotencyKey = key();
    const outcome = await stripe.capture({ idempotencyKey, paymentId, amount: EUR(600) });
    expect(sent(idempotencyKey)[0]).toMatchObject({
      path: `/v1/payment_intents/${paymentId}/capture`,
      form: { amount_to_capture: '600' },
    });
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: { state: 'captured', capturedAmount: 600, capturableAmount: 0 },
    });
    expect(chargesOf(paymentId)).toEqual([
      expect.objectContaining({ status: 'succeeded', amount: 1000, captured: 600 }),
    ]);
  });

  it('charges a saved method off-session and confirms at once', async () => {
    const idempotencyKey = key();
    const outcome = await stripe.chargeSavedMethod({ idempotencyKey, amount: EUR(1999), ...card });
    const { form } = sent(idempotencyKey)[0]!;
    expect(form).toMatchObject({
      off_session: 'true',
      confirm: 'true',
      customer: 'cus_123',
      payment_method: 'pm_card_visa',
    });
    expect(form.capture_method).toBeUndefined();
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: { state: 'captured', capturedAmount: 1999 },
    });
  });

  it('voids an authorisation by cancelling its PaymentIntent', async () => {
    const { paymentId } = await authorised();
    const idempotencyKey = key();
    const outcome = await stripe.voidAuthorisation({ idempotencyKey, paymentId, amount: EUR(1000) });
    expect(sent(idempotencyKey)[0]).toMatchObject({ path: `/v1/payment_intents/${paymentId}/cancel` });
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: { state: 'voided', capturableAmount: 0, capturedAmount: 0 },
    });
  });

  it('refunds in parts, never beyond what was captured, and finds a refund by its attempt', async () => {
    const { paymentId } = await authorised(1000);
    await stripe.capture({ idempotencyKey: key(), paymentId, amount: EUR(1000) });
    const first = key();
    expect(await stripe.refund({ idempotencyKey: first, paymentId, amount: EUR(333) })).toMatchObject({
      status: 'succeeded',
      result: { paymentId, amount: 333, currency: 'EUR', state: 'succeeded', attempt: first },
    });
    expect(sent(first)[0]).toMatchObject({
      path: '/v1/refunds',
      form: { payment_intent: paymentId, amount: '333', metadata: { attempt: first } },
    });
    expect(await stripe.refund({ idempotencyKey: key(), paymentId, amount: EUR(700) })).toMatchObject({
      status: 'failed',
      reason: 'amount_too_large',
    });
    await stripe.refund({ idempotencyKey: key(), paymentId, amount: EUR(667) });
    expect(await stripe.lookupRefund(paymentId, first)).toMatchObject({ amount: 333, attempt: first });
    expect(await stripe.lookupRefund(paymentId, key())).toBeNull();
    expect(await stripe.refund({ idempotencyKey: key(), paymentId, amount: EUR(1) })).toMatchObject({
      status: 'failed',
      reason: 'unexpected_state',
    });
  });

  it('saves a payment method for off-session use with a SetupIntent', async () => {
    const idempotencyKey = key();
    const outcome = await stripe.saveMethod({ idempotencyKey, ...card });
    expect(sent(idempotencyKey)[0]).toMatchObject({
      path: '/v1/setup_intents',
      form: { customer: 'cus_123', payment_method: 'pm_card_visa', usage: 'off_session', confirm: 'true' },
    });
    expect(outcome).toEqual({
      status: 'succeeded',
      result: {
        setupId: expect.stringMatching(/^seti_/),
        customerId: 'cus_123',
        paymentMethodId: 'pm_card_visa',
      },
    });
  });
});

describe('stripe provider: outcomes', () => {
  it('a declined card is for the customer to fix: requires_action with a stable reason', async () => {
    fake.failNext('decline');
    expect(await stripe.authorise({ idempotencyKey: key(), amount: EUR(1000), ...card })).toMatchObject({
      status: 'requires_action',
      reason: 'card_declined',
      reference: expect.stringMatching(/^pi_/),
    });
    fake.failNext('insufficient_funds');
    expect(
      await stripe.chargeSavedMethod({ idempotencyKey: key(), amount: EUR(1000), ...card }),
    ).toMatchObject({
      status: 'requires_action',
      reason: 'insufficient_funds',
    });
    fake.failNext('decline');
    expect(await stripe.saveMethod({ idempotencyKey: key(), ...card })).toMatchObject({
      status: 'requires_action',
      reason: 'card_declined',
      reference: expect.stringMatching(/^seti_/),
    });
  });

  it('authentication: off-session a 402 card error, on-session a PaymentIntent requiring action', async () => {
    fake.failNext('authentication_required');
    const offSession = await stripe.chargeSavedMethod({ idempotencyKey: key(), amount: EUR(1000), ...card });
    expect(offSession).toMatchObject({
      status: 'requires_action',
      reason: 'authentication_required',
      clientSecret: expect.stringContaining('_secret_'),
    });
    fake.failNext('authentication_required');
    const onSession = await stripe.authorise({ idempotencyKey: key(), amount: EUR(1000), ...card });
    expect(onSession).toMatchObject({ status: 'requires_action', reason: 'authentication_required' });
    expect(
      fake.charges.filter(
        (c) => c.status === 'succeeded' && c.paymentIntent === (onSession as { reference: string }).reference,
      ),
    ).toEqual([]);
  });

  it('a capture past the hold, beyond it, or twice fails with a stable reason', async () => {
    const expired = await authorised(1000);
    fake.expireAuthorisation(expired.paymentId);
    expect(
      await stripe.capture({ idempotencyKey: key(), paymentId: expired.paymentId, amount: EUR(1000) }),
    ).toMatchObject({
      status: 'failed',
      reason: 'authorisation_expired',
      reference: expired.paymentId,
    });
    const held = await authorised(1000);
    expect(
      await stripe.capture({ idempotencyKey: key(), paymentId: held.paymentId, amount: EUR(1001) }),
    ).toMatchObject({
      status: 'failed',
      reason: 'amount_too_large',
    });
    await stripe.capture({ idempotencyKey: key(), paymentId: held.paymentId, amount: EUR(1000) });
    expect(
      await stripe.capture({ idempotencyKey: key(), paymentId: held.paymentId, amount: EUR(1) }),
    ).toMatchObject({
      status: 'failed',
      reason: 'unexpected_state',
    });
    expect(
      await stripe.voidAuthorisation({ idempotencyKey: key(), paymentId: 'pi_missing', amount: EUR(1) }),
    ).toMatchObject({
      status: 'failed',
      reason: 'not_found',
    });
  });

  it('a key reused for another request is a conflict; a bad key never leaves the process', async () => {
    const idempotencyKey = key();
    await stripe.authorise({ idempotencyKey, amount: EUR(1000), ...card });
    expect(await stripe.authorise({ idempotencyKey, amount: EUR(1200), ...card })).toMatchObject({
      status: 'failed',
      reason: 'idempotency_conflict',
    });
    const before = fake.requests.length;
    await expect(stripe.authorise({ idempotencyKey: "x' OR 'a", amount: EUR(1), ...card })).rejects.toThrow(
      TypeError,
    );
    await expect(stripe.lookupPayment("x' OR metadata['a']:'b")).rejects.toThrow(TypeError);
    expect(fake.requests.length).toBe(before);
  });

  it('credentials Stripe refuses are the merchant set-up, not an outage', async () => {
    const wrongKey = createStripeProvider({
      secretKey: 'sk_live_nope',
      host: fake.host,
      port: fake.port,
      protocol: 'http',
    });
    expect(await wrongKey.authorise({ idempotencyKey: key(), amount: EUR(1000), ...card })).toMatchObject({
      status: 'failed',
      reason: 'provider_rejected',
    });
  });
});

describe('stripe provider: attempts left in doubt', () => {
  it('a 500 is unknown: ProviderUnavailable; the retry with the same key charges once', async () => {
    const idempotencyKey = key();
    fake.failNext('server_error');
    const error = await unavailable(stripe.authorise({ idempotencyKey, amount: EUR(1000), ...card }));
    expect(error).toMatchObject({ provider: 'stripe', operation: 'authorise', idempotencyKey });
    expect(await stripe.lookupPayment(idempotencyKey)).toBeNull();
    const retried = await stripe.authorise({ idempotencyKey, amount: EUR(1000), ...card });
    expect(retried).toMatchObject({ status: 'succeeded', result: { state: 'authorised' } });
  });

  it('no answer at all: ProviderUnavailable after the timeout, nothing charged', async () => {
    const idempotencyKey = key();
    const charges = fake.charges.length;
    fake.failNext('hang');
    await unavailable(stripe.chargeSavedMethod({ idempotencyKey, amount: EUR(1000), ...card }));
    expect(fake.charges.length).toBe(charges);
    expect(await stripe.lookupPayment(idempotencyKey)).toBeNull();
  });

  it('charged while the client timed out: lookup finds it, the retry replays it, one charge', async () => {
    const idempotencyKey = key();
    fake.failNext('charge_then_hang');
    await unavailable(stripe.chargeSavedMethod({ idempotencyKey, amount: EUR(4200), ...card }));
    const found = await stripe.lookupPayment(idempotencyKey);
    expect(found).toMatchObject({
      state: 'captured',
      capturedAmount: 4200,
      currency: 'EUR',
      attempt: idempotencyKey,
    });
    const search = fake.requests.at(-1)!;
    expect(search).toMatchObject({ method: 'GET', path: '/v1/payment_intents/search' });
    expect(search.query.query).toBe(`metadata['attempt']:'${idempotencyKey}'`);

    const retried = await stripe.chargeSavedMethod({ idempotencyKey, amount: EUR(4200), ...card });
    expect(retried).toMatchObject({ status: 'succeeded', result: { paymentId: found!.paymentId } });
    expect(chargesOf(found!.paymentId)).toHaveLength(1);
    expect(sent(idempotencyKey)).toHaveLength(2);
  });

  it('charged, then the connection dropped: the SDK retries once with our key and gets the replay', async () => {
    const idempotencyKey = key();
    fake.failNext('charge_then_drop');
    const outcome = await stripe.authorise({ idempotencyKey, amount: EUR(1500), ...card });
    expect(outcome.status).toBe('succeeded');
    const paymentId = (outcome as { result: { paymentId: string } }).result.paymentId;
    expect(sent(idempotencyKey)).toHaveLength(2);
    expect(chargesOf(paymentId)).toHaveLength(1);

    const dropped = key();
    fake.failNext('charge_then_drop', 'charge_then_drop');
    await unavailable(stripe.authorise({ idempotencyKey: dropped, amount: EUR(1500), ...card }));
    const found = await stripe.lookupPayment(dropped);
    expect(found).toMatchObject({ state: 'authorised', capturableAmount: 1500 });
    expect(chargesOf(found!.paymentId)).toHaveLength(1);
  });

  it('a capture left in doubt is settled by looking up the payment it captured', async () => {
    const { idempotencyKey, paymentId } = await authorised(800);
    fake.failNext('charge_then_hang');
    await unavailable(stripe.capture({ idempotencyKey: key(), paymentId, amount: EUR(800) }));
    expect(await stripe.lookupPayment(idempotencyKey)).toMatchObject({
      paymentId,
      state: 'captured',
      capturedAmount: 800,
    });
  });
});

describe('manual provider', () => {
  const manual = createManualProvider();

  it('acknowledges every step at once, the same way on a retry', async () => {
    const authorisation = await manual.authorise({
      idempotencyKey: 'ord_9:line_1:1',
      amount: EUR(1000),
      ...card,
    });
    expect(authorisation).toEqual({
      status: 'succeeded',
      result: {
        paymentId: 'manual_ord_9:line_1:1',
        state: 'authorised',
        currency: 'EUR',
        amount: 1000,
        capturableAmount: 1000,
        capturedAmount: 0,
        attempt: 'ord_9:line_1:1',
      },
    });
    expect(await manual.authorise({ idempotencyKey: 'ord_9:line_1:1', amount: EUR(1000), ...card })).toEqual(
      authorisation,
    );
    const paymentId = 'manual_ord_9:line_1:1';
    expect(
      await manual.capture({ idempotencyKey: 'ord_9:line_1:2', paymentId, amount: EUR(600) }),
    ).toMatchObject({
      status: 'succeeded',
      result: { paymentId, state: 'captured', capturedAmount: 600, capturableAmount: 0 },
    });
    expect(
      await manual.chargeSavedMethod({ idempotencyKey: 'ord_9:line_2:1', amount: EUR(50), ...card }),
    ).toMatchObject({
      status: 'succeeded',
      result: { state: 'captured', capturedAmount: 50 },
    });
    expect(await manual.refund({ idempotencyKey: 'ord_9:line_1:3', paymentId, amount: EUR(100) })).toEqual({
      status: 'succeeded',
      result: {
        refundId: 'manual_refund_ord_9:line_1:3',
        paymentId,
        state: 'succeeded',
        currency: 'EUR',
        amount: 100,
        attempt: 'ord_9:line_1:3',
      },
    });
    expect(
      await manual.voidAuthorisation({ idempotencyKey: 'ord_9:line_3:1', paymentId: 'p', amount: EUR(5) }),
    ).toMatchObject({
      status: 'succeeded',
      result: { state: 'voided', capturedAmount: 0 },
    });
    expect(await manual.saveMethod({ idempotencyKey: 'cus_1:setup:1', ...card })).toMatchObject({
      status: 'succeeded',
    });
  });

  it('refuses amounts that are not positive minor units; has nothing to look up', async () => {
    for (const amount of [EUR(0), EUR(-5), EUR(1.5), { amount: 100, currency: 'eur' }]) {
      expect(await manual.authorise({ idempotencyKey: 'k1', amount, ...card })).toMatchObject({
        status: 'failed',
        reason: 'invalid_request',
      });
    }
    expect(await manual.lookupPayment('ord_9:line_1:1')).toBeNull();
    expect(await manual.lookupRefund('p', 'ord_9:line_1:3')).toBeNull();
    await expect(manual.refund({ idempotencyKey: '', paymentId: 'p', amount: EUR(1) })).rejects.toThrow(
      TypeError,
    );
  });
});
