import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { type RouteContext, type RouteRegistrar, typed } from '../../http/context.ts';
import { mapError } from '../../http/problem.ts';
import { AUTH_ERRORS, idOf, problems } from '../../http/schemas.ts';
import { storeToday } from '../../shared/dates.ts';
import { DomainError } from '../../shared/errors.ts';
import { type LinkAction, type LinkClaims, signedQuery } from '../messages/messages.links.ts';
import { inLanguage, type PageContext, pageContext } from './selfservice.html.ts';
import { type Locale, negotiateLocale } from './selfservice.i18n.ts';
import { choicesOfForm, formClaims } from './selfservice.models.ts';
import { lineOf, type ShopperLine, type ShopperOrder, shopperOrder } from './selfservice.orders.ts';
import {
  cancelConfirmPage,
  cancelledPage,
  errorPage,
  keepConfirmPage,
  keptPage,
  type OrderPageActions,
  orderPage,
  preferencesPage,
  switchOutcomePage,
  switchPage,
  unsubscribedPage,
  unsubscribePage,
} from './selfservice.pages.ts';
import { alternativesFor, switchLine } from './selfservice.switch.ts';
import {
  cancelFromLink,
  contactsOf,
  keepWaiting,
  type LinkOpening,
  openLink,
  openShortLink,
  orderCustomer,
  orderLinks,
  readChoices,
  type ShopperStore,
  saveChoices,
  unsubscribe,
} from './selfservice.usecases.ts';

/** Shopper forms are tiny; anything bigger is not one of ours. */
const FORM_BODY_LIMIT = 16 * 1024;

type ValidLink = Extract<LinkOpening, { check: 'valid' }>;
type Page = [status: number, html: string];

const PAGE_DOC = {
  tags: ['Self-service'],
  security: [],
  response: {
    200: {
      description:
        'An HTML page (errors are HTML pages too: 403 invalid link, 410 expired, 404 unknown order)',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
    403: htmlPage('The link is not valid, or does not grant this action'),
    404: htmlPage('The order or line the link names is gone'),
    410: htmlPage('The link has expired'),
    429: htmlPage('Too many requests from this address'),
  },
};

function htmlPage(description: string) {
  return {
    description: `${description} (an HTML page)`,
    content: { 'text/html': { schema: { type: 'string' } } },
  };
}

const LINK_QUERY_HELP =
  'The query string is a signed link: `store`, `a` (action: status, cancel, keep, switch, preferences, ' +
  'unsubscribe), `s` (the order id, or the contact for unsubscribe), `line` (optional), `exp` (expiry, ' +
  'seconds since the epoch) and `sig` (HMAC-SHA256 with the store’s link secret).';

/**
 * Pages carry product pictures from the merchant's own hosts, so their policy lets images load
 * over https (nothing else changes; the signed address never leaves as a referrer).
 */
const PAGE_POLICY =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
  "img-src 'self' data: https:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline'";

function sendPage(reply: FastifyReply, [status, html]: Page): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_POLICY)
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(html);
}

const localeOf = (request: FastifyRequest): Locale =>
  negotiateLocale(
    (request.query as Record<string, unknown> | undefined)?.lang,
    request.headers['accept-language'],
  );

/** The pages a link that does not open anything shows; neither says anything about an order. */
function linkProblem(
  link: { check: 'invalid' } | { check: 'expired'; store: ShopperStore },
  locale: Locale,
): Page {
  if (link.check === 'expired') {
    const ctx = pageContext(link.store, locale, null);
    return [410, errorPage(ctx, ctx.words.expiredTitle, ctx.words.expiredText(link.store.name))];
  }
  const ctx = pageContext(null, locale, null);
  return [403, errorPage(ctx, ctx.words.invalidTitle, ctx.words.invalidText)];
}

/** Maps the expected refusals of a valid link to pages in the store's name. */
async function inStorePage(ctx: PageContext, work: () => Promise<Page>): Promise<Page> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const w = ctx.words;
    const name = ctx.store?.name ?? '';
    if (error.kind === 'not_found') return [404, errorPage(ctx, w.notFoundTitle, w.notFoundText(name))];
    return [409, errorPage(ctx, w.failedTitle, w.failedText(name))];
  }
}

/** String fields of a submitted form (a JSON or form-urlencoded body). */
function formOf(body: unknown): Record<string, string> {
  const form: Record<string, string> = {};
  if (body === null || typeof body !== 'object') return form;
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') form[name] = value;
  return form;
}

const requireLine = (claims: LinkClaims): string => {
  if (claims.lineId === undefined) throw new DomainError('not_found', 'not_found', 'The link names no line');
  return claims.lineId;
};

function contactView(order: Pick<ShopperOrder, 'customer'>) {
  return { email: order.customer.email ?? null, phone: order.customer.phone ?? null };
}

/** A page opened with `link`: the store, the shopper's language, and the link's own query. */
function linkPage(link: ValidLink, locale: Locale): PageContext {
  return pageContext(link.store, locale, `?${signedQuery(link.claims, link.secret)}`);
}

/** The signed links and forms the order page offers, each in the page's language. */
function orderActions(
  link: ValidLink,
  order: ShopperOrder,
  now: Date,
  lang: Locale['lang'],
): OrderPageActions {
  const sign = (action: LinkAction, lineId?: string) =>
    inLanguage(`?${signedQuery(formClaims(link.claims, action, now, lineId), link.secret)}`, lang);
  const left = (l: ShopperLine) => l.allocated + l.backordered > 0;
  return {
    lines: new Map(
      order.lines.map((l) => [
        l.id,
        {
          keep: l.backordered > 0 ? sign('keep', l.id) : null,
          switch: l.backordered > 0 ? sign('switch', l.id) : null,
          cancel: left(l) ? sign('cancel', l.id) : null,
        },
      ]),
    ),
    cancelOrder: order.lines.some(left) ? sign('cancel') : null,
    preferences: sign('preferences'),
  };
}

/** GET: shows a page. Never changes anything: mail scanners open links before the shopper does. */
async function showPage({ deps }: RouteContext, link: ValidLink, ctx: PageContext): Promise<Page> {
  const { store, claims } = link;
  const now = deps.clock.now();
  const db = deps.db;
  // A confirmation form posts the link's own claims back: they grant exactly what the page offers.
  const self = inLanguage(ctx.here!, ctx.locale.lang);
  switch (claims.action) {
    case 'status': {
      const order = await shopperOrder(db, store, claims.subject, now);
      return [
        200,
        orderPage(ctx, order, orderActions(link, order, now, ctx.locale.lang), storeToday(store, now)),
      ];
    }
    case 'cancel': {
      const order = await shopperOrder(db, store, claims.subject, now);
      const line = claims.lineId === undefined ? null : lineOf(order, claims.lineId);
      return [200, cancelConfirmPage(ctx, order, line, self)];
    }
    case 'keep': {
      const line = lineOf(await shopperOrder(db, store, claims.subject, now), requireLine(claims));
      return [200, keepConfirmPage(ctx, line, self)];
    }
    case 'switch': {
      const line = lineOf(await shopperOrder(db, store, claims.subject, now), requireLine(claims));
      return [200, switchPage(ctx, line, await alternativesFor(db, store, line, now), self)];
    }
    case 'preferences': {
      const order = await orderCustomer(db, store.id, claims.subject);
      const choices = await readChoices(db, store.id, contactsOf(order));
      return [200, preferencesPage(ctx, { ...contactView(order), choices }, self, false)];
    }
    case 'unsubscribe':
      return [200, unsubscribePage(ctx, claims.subject, self)];
  }
}

/** POST: does what the link grants, and only that. */
async function act(
  { deps, placement }: RouteContext,
  link: ValidLink,
  ctx: PageContext,
  form: Record<string, string>,
): Promise<Page> {
  const { store, claims } = link;
  const db = deps.db;
  const w = ctx.words;
  const self = inLanguage(ctx.here!, ctx.locale.lang);
  const orderLink = () =>
    inLanguage(
      `?${signedQuery(formClaims(claims, 'status', deps.clock.now()), link.secret)}`,
      ctx.locale.lang,
    );
  switch (claims.action) {
    case 'status':
      return [403, errorPage(ctx, w.statusCannotChange, w.statusCannotChangeText)];
    case 'cancel': {
      const result = await inTransaction(db, (tx) =>
        cancelFromLink(tx, deps, store, claims.subject, claims.lineId),
      );
      return [200, cancelledPage(ctx, result.cancelled, orderLink())];
    }
    case 'keep': {
      const lineId = requireLine(claims);
      const outcome = await inTransaction(db, (tx) => keepWaiting(tx, deps, store, claims.subject, lineId));
      return [200, keptPage(ctx, outcome)];
    }
    case 'switch': {
      const lineId = requireLine(claims);
      if (!form.sku) {
        const now = deps.clock.now();
        const line = lineOf(await shopperOrder(db, store, claims.subject, now), lineId);
        const alternatives = await alternativesFor(db, store, line, now);
        return [422, switchPage(ctx, line, alternatives, self, w.chooseAlternative)];
      }
      const outcome = await switchLine(deps, placement, store, claims.subject, lineId, form.sku);
      return [outcome.kind === 'switched' ? 200 : 409, switchOutcomePage(ctx, outcome)];
    }
    case 'preferences': {
      const order = await orderCustomer(db, store.id, claims.subject);
      const choices = choicesOfForm(form);
      await inTransaction(db, (tx) => saveChoices(tx, deps, store.id, contactsOf(order), choices));
      return [200, preferencesPage(ctx, { ...contactView(order), choices }, self, true)];
    }
    case 'unsubscribe':
      // Also RFC 8058 one-click: a POST of `List-Unsubscribe=One-Click` to the link itself.
      await inTransaction(db, (tx) => unsubscribe(tx, deps, store.id, claims.subject));
      return [200, unsubscribedPage(ctx, claims.subject)];
  }
}

/** The pages live in their own scope: form bodies and HTML error pages apply to them only. */
function registerPages(ctx: RouteContext) {
  return async (scoped: FastifyInstance) => {
    const parseForm = (body: string) => Object.fromEntries(new URLSearchParams(body));
    scoped.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
      (_request, body, done) => done(null, parseForm(body as string)),
    );
    // RFC 8058 allows one-click unsubscribes as multipart: the signed link alone decides, so the body is not read.
    scoped.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
      (_request, _body, done) => done(null, {}),
    );
    scoped.setErrorHandler((error, request, reply) => {
      const problem = mapError(error as Error, request);
      const ctx = pageContext(null, localeOf(request), null);
      const w = ctx.words;
      const message = problem.status === 429 ? w.tooMany : problem.status >= 500 ? w.ourSide : w.openAgain;
      return sendPage(reply, [problem.status, errorPage(ctx, problem.title, message)]);
    });

    scoped.get(
      '/self-service',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'getSelfServicePage',
          ...PAGE_DOC,
          summary: "A shopper's page opened from a signed link in a message (HTML, no login)",
          description: `${LINK_QUERY_HELP} Opening a page never changes anything: actions are confirmed with a POST.`,
        },
      },
      async (request, reply) => {
        const locale = localeOf(request);
        const link = await openLink(ctx.deps.db, ctx.deps, request.query as Record<string, unknown>);
        if (link.check !== 'valid') return sendPage(reply, linkProblem(link, locale));
        const page = linkPage(link, locale);
        return sendPage(reply, await inStorePage(page, () => showPage(ctx, link, page)));
      },
    );
    scoped.get(
      '/s/:token',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'openShortLink',
          tags: ['Self-service'],
          security: [],
          summary: 'A short link from a text message: redirects (303) to the signed page it stands for',
          params: Type.Object({ token: Type.String({ maxLength: 100 }) }),
          response: {
            303: { description: 'To the self-service page (`Location`)', type: 'null' },
            403: htmlPage('The link is not valid'),
            410: htmlPage('The link has expired'),
            429: htmlPage('Too many requests from this address'),
          },
        },
      },
      async (request, reply) => {
        const opened = await openShortLink(
          ctx.deps.db,
          ctx.deps,
          (request.params as { token: string }).token,
        );
        if (opened.check !== 'valid') return sendPage(reply, linkProblem(opened, localeOf(request)));
        return reply.status(303).header('cache-control', 'no-store').header('location', opened.target).send();
      },
    );
    scoped.post(
      '/self-service',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'submitSelfServiceAction',
          ...PAGE_DOC,
          summary: 'Carry out what a signed link grants (cancel, keep, switch, preferences, unsubscribe)',
          description:
            `${LINK_QUERY_HELP} The signed query goes in the URL (as in the page's form actions); the ` +
            'form-urlencoded body carries only the choices: `sku` (switch), `email`, `sms`, `updates` ' +
            '(preferences). A POST to an unsubscribe link with `List-Unsubscribe=One-Click` (RFC 8058) unsubscribes. ' +
            'A status link changes nothing (403). Events written: `order.cancelled` (as the API writes it), ' +
            '`backorder.kept` { orderId, lineId, sku, quantity, eta } (once per line and promised date), ' +
            '`order.line.switched` { orderId, lineId, sku, newOrderId, newSku, quantity } (the new order is placed ' +
            'with externalId `<original externalId or id>-switch-<lineId>`, so it is placed once).',
        },
      },
      async (request, reply) => {
        const locale = localeOf(request);
        const link = await openLink(ctx.deps.db, ctx.deps, request.query as Record<string, unknown>);
        if (link.check !== 'valid') return sendPage(reply, linkProblem(link, locale));
        const page = linkPage(link, locale);
        return sendPage(reply, await inStorePage(page, () => act(ctx, link, page, formOf(request.body))));
      },
    );
  };
}

export const selfServiceRoutes: RouteRegistrar = (app, ctx) => {
  void app.register(registerPages(ctx));
  typed(app).post(
    '/v1/orders/:id/self-service-links',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createSelfServiceLinks',
        tags: ['Self-service'],
        summary: "Signed links to an order's self-service pages, for customer service to send",
        description:
          'Each link opens a page without login until `expiresAt` (90 days). The links start with the ' +
          "store's public URL when one is set, otherwise with this server's origin as the request reached it.",
        params: Type.Object({ id: idOf('ord') }),
        response: {
          200: Type.Object({
            status: Type.String({
              format: 'uri',
              description: 'The order, line by line: state, place in line, date',
            }),
            cancel: Type.String({
              format: 'uri',
              description: 'Confirms, then cancels everything not shipped',
            }),
            preferences: Type.String({ format: 'uri', description: 'Email, SMS and status-update choices' }),
            expiresAt: Type.String({ format: 'date-time' }),
          }),
          ...problems(...AUTH_ERRORS, 404),
        },
      },
    },
    async (request) => {
      const origin = `${request.protocol}://${request.host}`;
      return inTransaction(ctx.deps.db, (tx) =>
        orderLinks(tx, ctx.deps, storeOf(request), request.params.id, origin),
      );
    },
  );
};
