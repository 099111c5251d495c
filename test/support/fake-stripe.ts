/**
 * A small stand-in for Stripe's API on 127.0.0.1, answering the endpoints the stripe provider uses
 * the way Stripe's API reference documents them: form-encoded requests, JSON objects, error bodies
 * `{ error: { type, code, decline_code, message } }` with Stripe's statuses, and idempotency (the
 * same Idempotency-Key with the same request replays the first answer; with another request, 400
 * `idempotency_error` — the body is compared as sent, so the same parameters in another order are
 * another request). It records every request, and can be told to fail in the ways that matter:
 * a declined card, a card that needs authentication, a 500, no answer at all, or an answer lost after
 * the money moved (the charge is in its state; the client never hears of it).
 *
 * Also as Stripe documents: amounts below the currency's minimum charge are refused
 * (`amount_too_small`); search is eventually consistent (`searchLagMs` hides PaymentIntents younger
 * than that from `/v1/payment_intents/search`); and a PaymentMethod registered in `paymentMethods`
 * can be used again only with the customer it is attached to (one not attached to any customer is
 * spent by its first PaymentIntent). Ids starting `pm_card_` that are not registered stand for
 * Stripe's test cards, attached to whichever customer uses them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PaymentProviders } from '../../src/modules/payments/payments.collector.ts';
import { createManualProvider } from '../../src/modules/payments/payments.provider.manual.ts';
import { createStripeProvider } from '../../src/modules/payments/payments.provider.stripe.ts';

type Json = Record<string, unknown>;

export type Fault =
  | 'decline' // the next confirmation is declined (card_declined / generic_decline)
  | 'insufficient_funds' // the next confirmation is declined for insufficient funds
  | 'authentication_required' // the next confirmation needs 3-D Secure (off-session: a 402)
  | 'server_error' // the next POST answers 500 before doing anything
  | 'hang' // the next POST is never answered and does nothing
  | 'charge_then_hang' // the next POST takes effect, then is never answered
  | 'charge_then_drop' // the next POST takes effect, then the connection is dropped
  | 'idempotency_error'; // the next POST is refused as if its key had been used with other parameters

type CardFault = 'decline' | 'insufficient_funds' | 'authentication_required';
/** The card errors Stripe's API reference documents for these cases. */
const DECLINES: Record<CardFault, Json> = {
  decline: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  insufficient_funds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Insufficient funds.',
  },
  authentication_required: { code: 'authentication_required', decline_code: 'authentication_required' },
};
const isCardFault = (fault: Fault | undefined): fault is CardFault =>
  fault !== undefined && fault in DECLINES;

type Form = { [key: string]: string | Form };
interface Answer {
  status: number;
  body: Json;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  idempotencyKey: string | undefined;
  form: Form;
  /** The body exactly as sent (form-encoded), parameters in the order the client wrote them. */
  body: string;
}

/** One attempt to take money from a card, as Stripe's Charge objects record it. */
export interface FakeCharge {
  id: string;
  paymentIntent: string;
  amount: number;
  status: 'succeeded' | 'failed';
  captured: number;
}

export interface FakeStripe {
  host: string;
  port: number;
  requests: RecordedRequest[];
  charges: FakeCharge[];
  paymentIntents: Map<string, Json>;
  refunds: Map<string, Json>;
  setupIntents: Map<string, Json>;
  /** PaymentMethods with their customer (null: attached to none); `used` once spent without one. */
  paymentMethods: Map<string, { customer: string | null; used: boolean }>;
  /** PaymentIntents younger than this are not found by search yet (Stripe: up to about a minute). */
  searchLagMs: number;
  failNext(...faults: Fault[]): void;
  /** Forgets faults queued and not yet met (a property test's case must not leave one to the next). */
  clearFaults(): void;
  /** What Stripe does to a hold left uncaptured past its window: cancels it, `automatic`. */
  expireAuthorisation(paymentIntentId: string): void;
  close(): Promise<void>;
}

/** Stripe's bracket notation (`metadata[attempt]=…`, `allowed_payment_method_types[0]=card`) as objects. */
function parseForm(text: string): Form {
  const form: Form = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const path = name.split(/\[|\]\[|\]/).filter((part) => part !== '');
    let node = form;
    path.slice(0, -1).forEach((part) => {
      if (typeof node[part] !== 'object') node[part] = {};
      node = node[part] as Form;
    });
    node[path.at(-1)!] = value;
  }
  return form;
}

const error = (status: number, fields: Json): Answer => ({
  status,
  body: { error: { message: 'Error', ...fields } },
});
const invalid = (code: string, message: string, extra: Json = {}): Answer =>
  error(400, { type: 'invalid_request_error', code, message, ...extra });
const missing = (id: string): Answer =>
  error(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such object: '${id}'` });
const text = (value: string | Form | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  const charges: FakeCharge[] = [];
  const paymentIntents = new Map<string, Json>();
  const refunds = new Map<string, Json>();
  const setupIntents = new Map<string, Json>();
  const paymentMethods = new Map<string, { customer: string | null; used: boolean }>();
  const created = new WeakMap<Json, number>();
  const state = { searchLagMs: 0 };
  const saved = new Map<string, { fingerprint: string; answer: Answer }>();
  const faults: Fault[] = [];
  let serial = 0;
  const newId = (prefix: string) =>
    `${prefix}_${(++serial).toString().padStart(6, '0')}${randomBytes(4).toString('hex')}`;

  /** A Charge for the PaymentIntent: the fake's record of every attempt to take money. */
  function charge(intent: Json, status: FakeCharge['status'], captured: number): void {
    const id = newId('ch');
    charges.push({
      id,
      paymentIntent: intent.id as string,
      amount: intent.amount as number,
      status,
      captured,
    });
    intent.latest_charge = id;
  }

  /** Declines (402, the object left needing a payment method) or, on-session, asks for 3-D Secure. */
  function cardFailure(fault: CardFault, offSession: boolean, object: Json): Answer | null {
    if (fault === 'authentication_required' && !offSession) {
      Object.assign(object, { status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
      return null;
    }
    const isPayment = object.object === 'payment_intent';
    const lastError = { type: 'card_error', message: 'Your card was declined.', ...DECLINES[fault] };
    object.status = 'requires_payment_method';
    object[isPayment ? 'last_payment_error' : 'last_setup_error'] = lastError;
    if (isPayment) charge(object, 'failed', 0);
    return error(402, { ...lastError, charge: object.latest_charge, [object.object as string]: object });
  }

  const unexpectedState = (intent: Json): Answer =>
    invalid('payment_intent_unexpected_state', `This PaymentIntent is ${intent.status}`, {
      payment_intent: intent,
    });

  function cancelIntent(intent: Json, reason: string | null): void {
    Object.assign(intent, { status: 'canceled', cancellation_reason: reason, amount_capturable: 0 });
    intent.canceled_at = now();
  }

  /** Stripe's minimum charge amounts (docs.stripe.com/currencies), for the currencies tests use. */
  const MINIMUM: Record<string, number> = { usd: 50, eur: 50, gbp: 30, jpy: 50, hkd: 400, sek: 300 };
  const tooSmall = (amount: number, currency: string): Answer | null =>
    amount < (MINIMUM[currency] ?? 1)
      ? invalid('amount_too_small', `Amount must be at least ${MINIMUM[currency]} ${currency}`, {
          param: 'amount',
        })
      : null;

  /** A registered method used with another customer, or spent without one, is refused. */
  function methodRefusal(form: Form): Answer | null {
    const id = text(form.payment_method);
    const method = id ? paymentMethods.get(id) : undefined;
    if (!method) return null;
    const customer = text(form.customer) ?? null;
    if (method.customer !== null && method.customer !== customer)
      return invalid('resource_missing', `The PaymentMethod ${id} does not belong to the Customer`, {
        param: 'payment_method',
      });
    if (method.customer === null && method.used)
      return invalid(
        'payment_method_unexpected_state',
        'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment. It may not be used again.',
        { param: 'payment_method' },
      );
    if (method.customer === null) method.used = true;
    return null;
  }

  function createPaymentIntent(form: Form, fault: CardFault | undefined): Answer {
    const amount = amountParam(form.amount ?? '', 0);
    const currency = text(form.currency) ?? '';
    if (amount === null) return invalid('parameter_invalid_integer', 'Invalid amount', { param: 'amount' });
    if (!/^[a-z]{3}$/.test(currency))
      return invalid('parameter_invalid_string', 'Invalid currency', { param: 'currency' });
    const refused = tooSmall(amount, currency) ?? methodRefusal(form);
    if (refused) return refused;
    const id = newId('pi');
    const manual = form.capture_method === 'manual';
    const intent: Json = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency,
      capture_method: text(form.capture_method) ?? 'automatic_async',
      customer: text(form.customer) ?? null,
      payment_method: text(form.payment_method) ?? null,
      metadata: form.metadata ?? {},
      status: form.payment_method ? 'requires_confirmation' : 'requires_payment_method',
      client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      cancellation_reason: null,
      canceled_at: null,
      livemode: false,
    };
    paymentIntents.set(id, intent);
    created.set(intent, Date.now());
    if (form.confirm !== 'true') return { status: 200, body: intent };
    if (!form.payment_method) return unexpectedState(intent);
    if (form.off_session === 'true' && !form.customer) {
      return invalid('parameter_missing', 'off_session payments need a customer', { param: 'customer' });
    }
    const failure = fault && cardFailure(fault, form.off_session === 'true', intent);
    if (failure || intent.status === 'requires_action') return failure || { status: 200, body: intent };
    charge(intent, 'succeeded', manual ? 0 : amount);
    const taken = manual
      ? { status: 'requires_capture', amount_capturable: amount }
      : { amount_received: amount };
    Object.assign(intent, { status: 'succeeded', ...taken });
    return { status: 200, body: intent };
  }

  function capture(intent: Json, form: Form): Answer {
    if (intent.status !== 'requires_capture') return unexpectedState(intent);
    const amount = amountParam(form.amount_to_capture, intent.amount_capturable as number);
    if (amount === null) return invalid('parameter_invalid_integer', 'Invalid amount_to_capture');
    if (amount > (intent.amount_capturable as number)) {
      return invalid('amount_too_large', 'amount_to_capture exceeds the capturable amount', {
        payment_intent: intent,
      });
    }
    const small = tooSmall(amount, intent.currency as string);
    if (small) return small;
    // Capturing less than the hold releases the rest: a PaymentIntent is captured once.
    Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
    charges.find((charge) => charge.id === intent.latest_charge)!.captured = amount;
    return { status: 200, body: intent };
  }

  function cancel(intent: Json, form: Form): Answer {
    if (intent.status === 'succeeded' || intent.status === 'canceled') return unexpectedState(intent);
    cancelIntent(intent, text(form.cancellation_reason) ?? null);
    return { status: 200, body: intent };
  }

  function createRefund(form: Form): Answer {
    const intent = paymentIntents.get(text(form.payment_intent) ?? '');
    if (!intent) return missing(text(form.payment_intent) ?? '');
    const refunded = [...refunds.values()]
      .filter((refund) => refund.payment_intent === intent.id)
      .reduce((sum, refund) => sum + (refund.amount as number), 0);
    const refundable = (intent.amount_received as number) - refunded;
    if (intent.status !== 'succeeded') return invalid('charge_not_captured', 'Nothing captured to refund');
    if (refundable === 0) return invalid('charge_already_refunded', 'The charge has already been refunded');
    const amount = amountParam(form.amount, refundable);
    if (amount === null) return invalid('parameter_invalid_integer', 'Invalid amount');
    if (amount > refundable)
      return invalid('amount_too_large', `Refund amount exceeds the unrefunded ${refundable}`);
    const refund: Json = {
      id: newId('re'),
      object: 'refund',
      amount,
      currency: intent.currency,
      charge: intent.latest_charge,
      payment_intent: intent.id,
      metadata: form.metadata ?? {},
      status: 'succeeded',
      created: now(),
    };
    refunds.set(refund.id as string, refund);
    return { status: 200, body: refund };
  }

  function createSetupIntent(form: Form, fault: CardFault | undefined): Answer {
    const id = newId('seti');
    const setup: Json = {
      id,
      object: 'setup_intent',
      customer: text(form.customer) ?? null,
      payment_method: text(form.payment_method) ?? null,
      usage: text(form.usage) ?? 'off_session',
      metadata: form.metadata ?? {},
      status: form.payment_method ? 'requires_confirmation' : 'requires_payment_method',
      client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
      last_setup_error: null,
      next_action: null,
    };
    setupIntents.set(id, setup);
    if (form.confirm === 'true' && form.payment_method) {
      const failure = fault ? cardFailure(fault, false, setup) : null;
      if (failure) return failure;
      if (setup.status !== 'requires_action') setup.status = 'succeeded';
    }
    return { status: 200, body: setup };
  }

  const list = (url: string, data: Json[], limit: string | undefined): Json => ({
    object: url.endsWith('/search') ? 'search_result' : 'list',
    data: data.slice(0, Number(limit ?? 10)),
    has_more: false,
    url,
    ...(url.endsWith('/search') ? { next_page: null } : {}),
  });

  function route(
    method: string,
    path: string,
    query: Record<string, string>,
    form: Form,
    fault?: CardFault,
  ): Answer {
    const [, , resource, id, action] = path.split('/');
    if (resource === 'payment_intents') {
      if (method === 'POST' && !id) return createPaymentIntent(form, fault);
      if (method === 'GET' && id === 'search') {
        const match = /^metadata\['([\w-]+)'\]:'([^'\\]*)'$/.exec(query.query ?? '');
        if (!match)
          return invalid('parameter_invalid_string', 'Unsupported search query', { param: 'query' });
        const visibleBefore = Date.now() - state.searchLagMs;
        const found = [...paymentIntents.values()].filter(
          (pi) => (pi.metadata as Form)[match[1]!] === match[2] && (created.get(pi) ?? 0) <= visibleBefore,
        );
        return { status: 200, body: list('/v1/payment_intents/search', found.reverse(), query.limit) };
      }
      const intent = paymentIntents.get(id ?? '');
      if (!intent) return missing(id ?? '');
      if (method === 'GET' && !action) return { status: 200, body: intent };
      if (method === 'POST' && action === 'capture') return capture(intent, form);
      if (method === 'POST' && action === 'cancel') return cancel(intent, form);
    }
    if (resource === 'refunds' && !id) {
      if (method === 'POST') return createRefund(form);
      const found = [...refunds.values()].filter(
        (r) => !query.payment_intent || r.payment_intent === query.payment_intent,
      );
      return { status: 200, body: list('/v1/refunds', found.reverse(), query.limit) };
    }
    if (resource === 'setup_intents' && !id && method === 'POST') {
      return methodRefusal(form) ?? createSetupIntent(form, fault);
    }
    // GET /v1/customers/:customer/payment_methods/:id: found only when attached to that customer.
    if (resource === 'customers' && id && action === 'payment_methods' && method === 'GET') {
      const methodId = path.split('/')[5] ?? '';
      const known = paymentMethods.get(methodId);
      const attached = known ? known.customer === id : methodId.startsWith('pm_card_');
      if (!attached) return missing(methodId);
      return {
        status: 200,
        body: { id: methodId, object: 'payment_method', type: 'card', customer: id, livemode: false },
      };
    }
    return error(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path})`,
    });
  }

  const pending = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    let raw = '';
    try {
      for await (const chunk of req) raw += chunk;
    } catch {
      return; // the caller was killed mid-request: nothing arrived, nothing to answer
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const form = method === 'POST' ? parseForm(raw) : {};
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    const query = Object.fromEntries(url.searchParams);
    requests.push({
      method,
      path: url.pathname,
      query,
      headers: req.headers,
      idempotencyKey,
      form,
      body: raw,
    });
    const send = ({ status, body }: Answer, replayed = false) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': newId('req'),
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
      res.end(JSON.stringify(body));
    };
    if (!/^Bearer sk_test_\w+$/.test(req.headers.authorization ?? '')) {
      return send(error(401, { type: 'invalid_request_error', message: 'Invalid API Key provided' }));
    }
    const fingerprint = `${method} ${url.pathname} ${raw}`;
    const first = method === 'POST' && idempotencyKey ? saved.get(idempotencyKey) : undefined;
    if (first && first.fingerprint !== fingerprint) {
      const message = 'Keys for idempotent requests can only be used with the same parameters';
      return send(error(400, { type: 'idempotency_error', message }));
    }
    // Card faults wait for a confirmation; the others hit the next POST, whatever it is.
    const fault =
      method === 'POST' && (!isCardFault(faults[0]) || form.confirm === 'true') ? faults.shift() : undefined;
    if (fault === 'hang') return void pending.add(res);
    if (fault === 'server_error')
      return send(error(500, { type: 'api_error', message: 'Something went wrong' }));
    if (fault === 'idempotency_error') {
      const message = 'Keys for idempotent requests can only be used with the same parameters';
      return send(error(400, { type: 'idempotency_error', message }));
    }
    const cardFault = isCardFault(fault) ? fault : undefined;
    // A snapshot: a replay answers what the first request saw, not the object's state today.
    const answer = first?.answer ?? structuredClone(route(method, url.pathname, query, form, cardFault));
    if (method === 'POST' && idempotencyKey && !first) saved.set(idempotencyKey, { fingerprint, answer });
    if (fault === 'charge_then_hang') return void pending.add(res);
    if (fault === 'charge_then_drop') return void req.socket.destroy();
    send(answer, first !== undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    requests,
    charges,
    paymentIntents,
    refunds,
    setupIntents,
    paymentMethods,
    get searchLagMs() {
      return state.searchLagMs;
    },
    set searchLagMs(ms: number) {
      state.searchLagMs = ms;
    },
    failNext: (...next) => void faults.push(...next),
    clearFaults: () => void faults.splice(0),
    expireAuthorisation: (paymentIntentId) => cancelIntent(paymentIntents.get(paymentIntentId)!, 'automatic'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const now = (): number => Math.floor(Date.now() / 1000);

/** An amount parameter: its default when absent, null when not a positive integer. */
function amountParam(value: string | Form | undefined, absent: number): number | null {
  const amount = value === undefined ? absent : Number(value);
  return Number.isSafeInteger(amount) && amount > 0 ? amount : null;
}

/** The providers an app uses against this fake: its Stripe pointed at it, and the manual one. */
export function providersFor(fake: FakeStripe, timeoutMs = 800): PaymentProviders {
  return {
    manual: createManualProvider(),
    stripe: createStripeProvider({
      secretKey: 'sk_test_backfill',
      host: fake.host,
      port: fake.port,
      protocol: 'http',
      timeoutMs,
    }),
  };
}
