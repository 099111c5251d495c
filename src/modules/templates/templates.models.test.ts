import { describe, expect, it } from 'vitest';
import {
  channelsOf,
  hasTemplate,
  type MessageContext,
  TEMPLATE_KINDS,
  type TemplateKind,
  variablesOf,
} from './templates.context.ts';
import { defaultTemplate } from './templates.defaults.ts';
import {
  type MessageTemplate,
  renderTemplate,
  type TemplateParts,
  validateTemplate,
} from './templates.models.ts';
import { sampleContext } from './templates.samples.ts';

const PAIRS = TEMPLATE_KINDS.flatMap((kind) => channelsOf(kind).map((channel) => [kind, channel] as const));
const ORDER_KINDS = TEMPLATE_KINDS.filter((kind) => !['stock_alert', 'merchant_digest'].includes(kind));

const email = (body: string, extra: Partial<TemplateParts> = {}): TemplateParts => ({
  subject: 'Hello',
  body,
  ...extra,
});
const messagesOf = (kind: TemplateKind, parts: TemplateParts, channel: 'email' | 'sms' = 'email') =>
  validateTemplate(kind, channel, parts).map((p) => `${p.path}: ${p.message}`);
const render = (
  kind: TemplateKind,
  parts: Partial<MessageTemplate>,
  context: MessageContext = sampleContext(kind),
) => renderTemplate({ kind, channel: 'email', subject: 'Hello', body: '', html: null, ...parts }, context);

describe('default templates', () => {
  it('exist for every kind × channel but the digest by SMS and webhooks', () => {
    expect(PAIRS).toHaveLength(19);
    expect(hasTemplate('merchant_digest', 'sms')).toBe(false);
    expect(hasTemplate('webhook', 'email')).toBe(false);
    for (const [kind, channel] of PAIRS)
      expect(defaultTemplate(kind, channel).body.length).toBeGreaterThan(20);
  });

  it.each(PAIRS)('%s by %s validates and renders its sample', (kind, channel) => {
    const template = defaultTemplate(kind, channel);
    expect(validateTemplate(kind, channel, template)).toEqual([]);
    const sample = sampleContext(kind);
    const out = renderTemplate(template, sample);
    expect(out.body).not.toMatch(/\{\{|\{%|\n\n\n|\[object Object\]/);
    if (channel === 'sms') {
      expect(out).toMatchObject({ subject: null, html: null });
      expect(out.body.length).toBeLessThanOrEqual(1600);
    } else {
      expect(out.subject).toMatch(/^\S.*\S$/);
      expect(out.html).toMatch(/^<!doctype html>/);
      expect(out.html).not.toMatch(/\{\{|\{%/);
    }
    if (sample.order) {
      expect(out.body).toContain(sample.order.externalId);
      // Every email about an order links to its status page (an SMS may link to the choices instead).
      if (channel === 'email') {
        expect(out.body).toContain(sample.links.status);
        expect(out.html).toContain(`href="${sample.links.status}"`);
      } else expect(out.body).toContain(sample.links.status.split('/status')[0]);
    }
    if (kind === 'status_update' || kind === 'stock_alert') {
      expect(out.body).toContain(sample.links.unsubscribe);
      if (out.html !== null) expect(out.html).toContain(`href="${sample.links.unsubscribe}"`);
    }
  });

  it('say which items are backordered and when they should ship, and what ships now', () => {
    const out = renderTemplate(
      defaultTemplate('order_confirmation', 'email'),
      sampleContext('order_confirmation'),
    );
    expect(out.subject).toContain('backordered');
    expect(out.body).toMatch(
      /In stock, ships now:\n- 2 × Brass gear, 12 teeth\n {2}\S+gear-brass-12\n- 1 × Punched cards, pack of 500/,
    );
    expect(out.body).toContain(
      '- 1 × Difference engine kit: expected to ship by April 28, 2026, arriving April 30, 2026 to May 5, 2026 (Standard)\n' +
        '  https://shop.example.com/products/engine-kit',
    );
    // The HTML shows each item's picture, linked to its product page, beside its linked title.
    expect(out.html).toContain(
      '<a href="https://shop.example.com/products/engine-kit"><img src="https://shop.example.com/products/engine-kit.jpg" alt="Difference engine kit"',
    );
    expect(out.html).toContain(
      '<a href="https://shop.example.com/products/cards-500" style="color:#1f2328">Punched cards',
    );
    const sms = renderTemplate(
      defaultTemplate('order_confirmation', 'sms'),
      sampleContext('order_confirmation'),
    );
    expect(sms.body).toContain('Difference engine kit (ships by Apr 28)');
    // Nothing waiting: no backorder wording at all.
    const sample = sampleContext('order_confirmation');
    const inStock = { ...sample, order: { ...sample.order!, backorderedLines: [], hasBackorders: false } };
    const plain = renderTemplate(defaultTemplate('order_confirmation', 'email'), inStock);
    expect(plain.subject).toBe('Order #1842 confirmed');
    expect(plain.body).not.toMatch(/backorder/i);
  });

  it('give the queue position, the delay, the choices, the incentive and the tracking number', () => {
    const text = (kind: TemplateKind) =>
      renderTemplate(defaultTemplate(kind, 'email'), sampleContext(kind)).body;
    expect(text('status_update')).toContain(
      '3 units are ahead of you in the queue; expected to ship by April 28, 2026',
    );
    const delay = text('delay_notice');
    expect(delay).toContain(
      'We expected to ship it by April 14, 2026. It should now ship by April 28, 2026, 14 days later, ' +
        'arriving April 30, 2026 to May 5, 2026 (Standard).',
    );
    const links = sampleContext('delay_notice').links;
    for (const link of [links.keep, links.switch, links.cancel]) expect(delay).toContain(link);
    expect(delay).toContain('10% off, with the code THANKS-10-7Q2X');
    const { incentive: _, ...noIncentive } = sampleContext('delay_notice');
    const plain = renderTemplate(defaultTemplate('delay_notice', 'email'), noIncentive);
    expect(plain.body).not.toMatch(/thank-you|code/);
    expect(text('shipped')).toMatch(/Carrier: Royal Mail\nTracking number: RM123456785GB/);
    expect(text('cancelled')).toContain('We are refunding £120.00');
    expect(text('payment_needed')).toContain(
      '£48.00 for your order #1842 (Difference engine kit) by April 30, 2026',
    );
    expect(text('merchant_digest')).toMatch(
      /New backorders: 7 \(11 units\)[\s\S]*ENGINE-KIT: limit of 50[\s\S]*po_sample1 from Babbage & Sons/,
    );
  });
});

describe('what default messages may say', () => {
  /** Every default of `kind` rendered with `context`: subject, text and HTML, or the SMS. */
  const everything = (kind: TemplateKind, context: MessageContext): string =>
    channelsOf(kind)
      .map((channel) => {
        const out = renderTemplate(defaultTemplate(kind, channel), context);
        return [out.subject, out.body, out.html].join('\n');
      })
      .join('\n');

  it('promise a refund only where refunds are automatic', () => {
    for (const kind of ORDER_KINDS.filter((k) => k !== 'refunded')) {
      const sample = sampleContext(kind);
      const { refund: _, ...context } = { ...sample, store: { ...sample.store, refundsAutomatic: false } };
      expect(everything(kind, context), kind).not.toMatch(/refund/i);
    }
    const sample = sampleContext('delay_notice');
    expect(everything('delay_notice', sample)).toContain('Cancel for a full refund');
    const cancelled = sampleContext('cancelled');
    const { refund: _, ...automatic } = cancelled;
    expect(everything('cancelled', automatic)).toContain('refunded automatically');
  });

  it("never show the order's internal id: its number instead", () => {
    for (const kind of ORDER_KINDS) {
      const sample = sampleContext(kind);
      const context = {
        ...sample,
        order: { ...sample.order!, number: 'K7Q2M-9XDAB', externalId: 'K7Q2M-9XDAB' },
      };
      const text = everything(kind, context);
      expect(text, kind).not.toContain('ord_');
      expect(text, kind).toContain('K7Q2M-9XDAB');
    }
  });

  it('link a back-in-stock alert to the product, with its picture', () => {
    const sample = sampleContext('stock_alert');
    const out = renderTemplate(defaultTemplate('stock_alert', 'email'), sample);
    expect(out.subject).toBe('Back in stock: Difference engine kit');
    expect(out.body).toContain('Order it here: https://shop.example.com/products/engine-kit');
    expect(out.html).toContain(
      '<img src="https://shop.example.com/products/engine-kit.jpg" alt="Difference engine kit"',
    );
    expect(out.html).toMatch(
      /<a href="https:\/\/shop.example.com\/products\/engine-kit"[^>]*>Order it now<\/a>/,
    );
    const sms = renderTemplate(defaultTemplate('stock_alert', 'sms'), sample);
    expect(sms.body).toContain('Order: https://shop.example.com/products/engine-kit');
    // A variant with no page or picture: no empty link, no broken image.
    const bare = { ...sample, variant: { ...sample.variant!, url: '', imageUrl: '' } };
    const plain = renderTemplate(defaultTemplate('stock_alert', 'email'), bare);
    expect(plain.html).not.toMatch(/<img|href=""/);
    expect(plain.body).not.toContain('Order it here');
  });

  it('tell a shopper upgraded to express shipping their new delivery window', () => {
    const sample = sampleContext('delay_notice');
    const context = {
      ...sample,
      incentive: {
        ...sample.incentive!,
        kind: 'free_express',
        description: 'a free upgrade to express shipping',
        shippingMethod: 'Express',
        deliveryEta: '2026-04-29',
        deliveryEtaLatest: '2026-04-30',
      },
    };
    const out = renderTemplate(defaultTemplate('delay_notice', 'email'), context);
    expect(out.body).toContain(
      'As a thank-you for waiting: a free upgrade to express shipping: it now arrives April 29, 2026 to April 30, 2026 by Express.',
    );
    expect(out.body).not.toContain('code');
  });
});

describe('validateTemplate', () => {
  it('refuses unknown variables and fields the kind does not have, wherever they are', () => {
    const problems = messagesOf('order_confirmation', {
      subject: 'Hi {{ customer.nmae }}',
      body: '{{ foo }}\n{% if false %}{{ delay.eta }}{% endif %}\n{{ order.lines.title }}',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^subject: unknown variable "customer.nmae" \(line 1, column \d+\): customer has only name, email, phone$/,
      ),
      expect.stringMatching(/^body: unknown variable "foo" \(line 1/),
      expect.stringMatching(/^body: "delay" is not available in order_confirmation messages \(line 2/),
      expect.stringMatching(/^body: unknown variable "order.lines.title" .*is a list/),
    ]);
    expect(messagesOf('delay_notice', email('{{ delay.eta }} {{ line.title }}'))).toEqual([]);
  });

  it('checks loop variables as items of their list, and forloop inside loops only', () => {
    const good =
      '{% for line in order.lines %}{{ forloop.index }}. {{ line.title }} {{ line.eta | date: "%b %-d" }}' +
      '{% for again in order.backorderedLines %}{{ line.sku }}{{ again.unitsAhead }}{% endfor %}{% endfor %}' +
      '{{ order.lines.size }} {{ order.lines[0].sku }} {{ order.backorderedLines.first.eta }} {{ customer.name.size }}' +
      '{% for n in (1..3) %}{{ n }}{% endfor %}';
    expect(messagesOf('order_confirmation', email(good))).toEqual([]);
    const bad = messagesOf(
      'order_confirmation',
      email(
        '{% for line in order.lines %}{{ line.titel }}{{ forloop.indx }}' +
          '{% for again in order.lines %}{{ again.nope }}{% endfor %}{% endfor %}{{ forloop.index }}',
      ),
    );
    expect(bad).toHaveLength(4);
    expect(bad.join('\n')).toMatch(/"line.titel"[\s\S]*"forloop.indx"[\s\S]*"again.nope"/);
    expect(bad.join('\n')).toMatch(
      /body: "forloop.index" \(line 1, column \d+\) is only available inside a loop/,
    );
  });

  it('refuses loops nested deeper than 8', () => {
    const nested = (depth: number) =>
      `${'{% for x in order.lines %}'.repeat(depth)}.${'{% endfor %}'.repeat(depth)}`;
    expect(messagesOf('shipped', email(nested(8)))).toEqual([]);
    expect(messagesOf('shipped', email(nested(9)))).toEqual([
      expect.stringMatching(/^body: loops are nested more than 8 deep \(line 1, column \d+\)$/),
    ]);
  });

  it('catches misuse of assigned values with the trial render', () => {
    expect(
      messagesOf('order_confirmation', email('{% assign x = order.lines.first %}{{ x.title }}')),
    ).toEqual([]);
    expect(
      messagesOf('order_confirmation', email('{% assign x = order.lines.first %}{{ x.titel }}')),
    ).toEqual([
      expect.stringMatching(/^body: cannot be rendered with the sample data: undefined variable: x.titel/),
    ]);
  });

  it('refuses the tags that read files, and unknown filters, at parse time', () => {
    for (const body of [
      '{% include "footer" %}',
      '{% render "footer" %}',
      '{% layout "base" %}',
      '{% liquid\ninclude "x" %}',
    ]) {
      expect(messagesOf('shipped', email(body))).toEqual([
        expect.stringMatching(/^body: the "\w+" tag is not allowed/),
      ]);
    }
    expect(messagesOf('shipped', email('x', { html: '{{ customer.name | raw }}' }))).toEqual([
      expect.stringMatching(/^html: undefined filter: raw/),
    ]);
    expect(messagesOf('shipped', email('{{ customer.name | nope }}'))).toEqual([
      expect.stringMatching(/undefined filter: nope/),
    ]);
    expect(messagesOf('shipped', email('{% if %}'))).toHaveLength(1);
  });

  it('refuses prototype properties', () => {
    expect(
      messagesOf('shipped', email('{{ customer.constructor }}{{ order.lines.__proto__ }}')),
    ).toHaveLength(2);
  });

  it('requires the unsubscribe link in status updates and stock alerts, really rendered', () => {
    expect(messagesOf('status_update', email('Hello {{ customer.name }}'))).toEqual([
      expect.stringMatching(/^body: must contain the unsubscribe link \{\{ links\.unsubscribe \}\}/),
    ]);
    expect(
      messagesOf('stock_alert', { body: '{% if false %}{{ links.unsubscribe }}{% endif %}' }, 'sms'),
    ).toHaveLength(1);
    expect(
      messagesOf(
        'stock_alert',
        email('{{ links.unsubscribe }}', { html: '<a href="{{ links.status }}">x</a>' }),
      ),
    ).toEqual([expect.stringMatching(/^html: must contain the unsubscribe link/)]);
    expect(messagesOf('stock_alert', email('Stop: {{ links.unsubscribe }}'))).toEqual([]);
    // Transactional kinds need none.
    expect(messagesOf('shipped', email('Shipped.'))).toEqual([]);
  });

  it('knows what each channel has, and its size limits', () => {
    expect(messagesOf('shipped', { subject: ' ', body: '' })).toEqual([
      'subject: is required for email',
      'body: is required',
    ]);
    expect(messagesOf('shipped', { subject: 'x', body: 'y', html: '<p>' }, 'sms')).toEqual([
      'subject: SMS messages have no subject',
      'html: SMS messages have no HTML version',
    ]);
    expect(messagesOf('shipped', email('x'.repeat(20_001)))).toEqual([
      'body: is 20001 characters long; at most 20000 are allowed',
    ]);
    expect(messagesOf('shipped', { body: 'x'.repeat(1_601) }, 'sms')).toHaveLength(1);
    expect(
      messagesOf('shipped', { body: '{% for i in (1..200) %}{{ customer.email }}{% endfor %}' }, 'sms'),
    ).toEqual([
      expect.stringMatching(
        /^body: renders to \d+ characters with the sample data; an SMS carries at most 1600$/,
      ),
    ]);
  });
});

describe('limits', () => {
  const loop = '{% for i in (1..100000000) %}{{ i }}{% endfor %}';

  it('stop a huge loop at once (memory), at check and at render time', () => {
    const started = Date.now();
    expect(messagesOf('shipped', email(loop))).toEqual([
      expect.stringMatching(/^body: cannot be rendered with the sample data: uses too much memory/),
    ]);
    expect(() => render('shipped', { body: loop })).toThrow(/uses too much memory/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stop output that doubles itself through capture', () => {
    const blowUp =
      '{% capture s %}0123456789{% endcapture %}' +
      '{% for i in (1..30) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}';
    expect(() => render('shipped', { body: blowUp })).toThrow(/uses too much memory/);
  });

  it('stop nested loops that never allocate (time)', () => {
    const depth = 20;
    const nested = `${'{% for x in order.lines %}'.repeat(depth)}.${'{% endfor %}'.repeat(depth)}`;
    const started = Date.now();
    expect(() => render('shipped', { body: nested })).toThrow(
      expect.objectContaining({
        code: 'template_render_failed',
        message: expect.stringMatching(/takes longer than 1000 ms/),
      }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('renderTemplate', () => {
  const hostile = (kind: TemplateKind): MessageContext => ({
    ...sampleContext(kind),
    customer: { name: '<script>alert("x")</script> & co', email: 'ada@example.com', phone: '' },
  });

  it('reuses parsed templates without mixing up sources or data', () => {
    const ada = sampleContext('shipped');
    const bob = { ...ada, customer: { name: 'Bob & Co', email: 'bob@example.com', phone: '' } };
    const parts = { body: 'Hi {{ customer.name }}', html: '<p>Hi {{ customer.name }}</p>' };
    expect(render('shipped', parts, ada)).toMatchObject({ body: 'Hi Ada Lovelace' });
    // The same sources, parsed once, with other data.
    expect(render('shipped', parts, bob)).toMatchObject({
      body: 'Hi Bob & Co',
      html: '<p>Hi Bob &amp; Co</p>',
    });
    // An edited template is rendered as edited.
    expect(render('shipped', { body: 'Hello {{ customer.name }}!' }, bob).body).toBe('Hello Bob & Co!');
    // More sources than the cache keeps still render correctly.
    for (let i = 0; i < 250; i++)
      expect(render('shipped', { body: `#${i} {{ customer.email }}` }, bob).body).toBe(
        `#${i} bob@example.com`,
      );
    expect(render('shipped', parts, ada).body).toBe('Hi Ada Lovelace');
  });

  it('escapes every output in HTML, not in plain text or SMS', () => {
    const parts = {
      body: 'Hi {{ customer.name }}',
      html: '<p>Hi {{ customer.name }}</p>{% echo customer.name %}<i>{{ customer.name | escape }}</i>',
    };
    const out = render('shipped', parts, hostile('shipped'));
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co';
    expect(out.html).toBe(`<p>Hi ${escaped}</p>${escaped}<i>${escaped}</i>`);
    expect(out.body).toBe('Hi <script>alert("x")</script> & co');
    const sms = renderTemplate(
      { kind: 'shipped', channel: 'sms', subject: null, body: 'Hi {{ customer.name }}', html: null },
      hostile('shipped'),
    );
    expect(sms.body).toBe('Hi <script>alert("x")</script> & co');
  });

  it('derives an escaped HTML version, with links, from the text when there is no HTML template', () => {
    const out = render(
      'shipped',
      { body: 'Hi {{ customer.name }},\n\nTrack it: {{ links.status }}.\nBye' },
      hostile('shipped'),
    );
    const link = sampleContext('shipped').links.status;
    expect(out.html).toContain('<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co,</p>');
    expect(out.html).toContain(`<p>Track it: <a href="${link}">${link}</a>.<br>\nBye</p>`);
  });

  it('makes the subject one line, tidies text, and renders missing optional data as empty', () => {
    const { refund: _, ...noRefund } = sampleContext('cancelled');
    const out = renderTemplate(
      {
        kind: 'cancelled',
        channel: 'email',
        subject: 'Order {{ order.externalId }}\n  cancelled ',
        body: 'A   \n\n\n\n{% if refund %}Refund {{ refund.amount }}{% endif %}\nB{{ refund.amount }}',
        html: null,
      },
      noRefund,
    );
    expect(out.subject).toBe('Order #1842 cancelled');
    expect(out.body).toBe('A\n\nB');
  });

  it('reads own properties only', () => {
    const context = { ...sampleContext('shipped'), customer: Object.create({ name: 'inherited' }) };
    expect(render('shipped', { body: '[{{ customer.name }}]' }, context).body).toBe('[]');
  });

  it('lists the variables each kind may use', () => {
    expect(variablesOf('delay_notice')).toEqual(
      expect.arrayContaining([
        'customer.name',
        'order.lines',
        'order.lines[].eta',
        'delay.previousEta',
        'incentive.code',
      ]),
    );
    expect(variablesOf('order_confirmation')).not.toContain('delay.eta');
    for (const kind of ORDER_KINDS) expect(variablesOf(kind)).toContain('links.status');
  });
});
