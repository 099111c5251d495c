import type { TemplateChannel, TemplateKind } from './templates.context.ts';
import { htmlPage, type MessageTemplate } from './templates.models.ts';

/**
 * The templates every store starts with: honest and plain. Shoppers are told what ships now, what
 * waits and until when, when it should arrive, and what they can do about it. Orders are named by
 * their number (never an internal id); a refund is promised only where one follows by itself
 * (`store.refundsAutomatic`). Text messages are short: they go out within two segments, with short
 * links (see messages.sms.ts). Plain text may put tags on lines of their own: blank-line runs are
 * collapsed when rendered (see `tidyText`).
 */

// Liquid snippets shared by the templates below.
const HI = 'Hi {{ customer.name | default: "there" }},';
const REF = '{{ order.number }}';
const date = (value: string) => `{{ ${value} | date: "%B %-d, %Y" }}`;
const shortDate = (value: string) => `{{ ${value} | date: "%b %-d" }}`;
const shipsBy = (line: string) =>
  `{% if ${line}.eta %}expected to ship by ${date(`${line}.eta`)}{% else %}no ship date yet; we will write as soon as we have one{% endif %}`;
/** ", arriving March 3, 2026 to March 5, 2026 (Express)" when the line has a delivery window. */
const arrives = (line: string, lead = ', arriving') =>
  `{% if ${line}.deliveryEta %}${lead} ${date(`${line}.deliveryEta`)}{% if ${line}.deliveryEtaLatest != ${line}.deliveryEta %} to ${date(`${line}.deliveryEtaLatest`)}{% endif %}{% if ${line}.shippingMethod != blank %} ({{ ${line}.shippingMethod }}){% endif %}{% endif %}`;
const IN_STOCK = '{% assign inStock = order.lines | where_exp: "line", "line.allocated > 0" %}';
const CANCELLED_LINES = '{% assign cancelledLines = order.lines | where_exp: "line", "line.cancelled > 0" %}';
const STATUS = 'Your order: {{ links.status }}';
const SIGNATURE = '{{ store.name }}';
/** The product page of a line, on a line of its own in plain text. */
const productLink = (line: string) =>
  `{% if ${line}.variant.url != blank %}\n  {{ ${line}.variant.url }}{% endif %}`;

// HTML building blocks (outputs are escaped by the engine).
const p = (text: string) => `<p>${text}</p>`;
const a = (href: string, label: string) => `<a href="{{ ${href} }}" style="color:#0b57d0">${label}</a>`;
const button = (href: string, label: string) =>
  `<p><a href="{{ ${href} }}" style="display:inline-block;padding:10px 18px;background:#1f2328;color:#ffffff;` +
  `text-decoration:none;border-radius:6px">${label}</a></p>`;
const list = (items: string, each: string, fallback = '') =>
  `<ul>{% for ${items} %}<li>${each}</li>${fallback ? `{% else %}<li>${fallback}</li>` : ''}{% endfor %}</ul>`;
const small = (text: string) => `<p style="color:#59636e;font-size:14px">${text}</p>`;
const HTML_STATUS = button('links.status', 'See your order');
const HTML_SIGNATURE = small('{{ store.name }}');
/** A variant's picture, linked to its product page when it has one. */
const picture = (variant: string, size: number) =>
  `{% if ${variant}.imageUrl != blank %}{% if ${variant}.url != blank %}<a href="{{ ${variant}.url }}">{% endif %}` +
  `<img src="{{ ${variant}.imageUrl }}" alt="{{ ${variant}.title }}" width="${size}" height="${size}" ` +
  `style="display:block;width:${size}px;height:${size}px;object-fit:cover;border-radius:6px;border:0">` +
  `{% if ${variant}.url != blank %}</a>{% endif %}{% endif %}`;
/** A variant's title, linked to its product page when it has one. */
const titleLink = (variant: string) =>
  `{% if ${variant}.url != blank %}<a href="{{ ${variant}.url }}" style="color:#1f2328">{{ ${variant}.title }}</a>{% else %}{{ ${variant}.title }}{% endif %}`;
/** One table row per item: its picture, then what the row says about it. */
const itemRows = (items: string, line: string, text: string) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:8px 0 16px">` +
  `{% for ${items} %}<tr><td style="width:72px;padding:6px 12px 6px 0;vertical-align:top">${picture(`${line}.variant`, 64)}</td>` +
  `<td style="padding:6px 0;vertical-align:top">${text}</td></tr>{% endfor %}</table>`;
const waitingList = (html: boolean) =>
  html
    ? itemRows(
        'line in order.backorderedLines',
        'line',
        `<strong>{{ line.backordered }} × ${titleLink('line.variant')}</strong><br>${shipsBy('line')}${arrives('line')}`,
      )
    : `{% for line in order.backorderedLines %}- {{ line.backordered }} × {{ line.title }}: ${shipsBy('line')}${arrives('line')}${productLink('line')}\n{% endfor %}`;
/** "Cancel for a full refund" only where the refund follows by itself. */
const CANCEL_LABEL = 'Cancel{% if store.refundsAutomatic %} for a full refund{% endif %}';

type Defaults = { email: Omit<MessageTemplate, 'kind' | 'channel'>; sms?: string };
const email = (subject: string, body: string, html: string): Defaults['email'] => ({
  subject,
  body,
  html: htmlPage(html),
});

const DEFAULTS: Record<TemplateKind, Defaults> = {
  order_confirmation: {
    email: email(
      `Order ${REF} confirmed{% if order.hasBackorders %}: some items are backordered{% endif %}`,
      `${HI}

Thank you for your order ${REF} at {{ store.name }}.
${IN_STOCK}
{% if inStock.size > 0 %}
In stock, ships now:
{% for line in inStock %}- {{ line.allocated }} × {{ line.title }}${arrives('line')}${productLink('line')}
{% endfor %}
{% endif %}
{% if order.hasBackorders %}
Backordered: not in stock yet. Your place in the queue is kept, and these ship as soon as stock arrives:
${waitingList(false)}
We will write if a date changes. If you would rather not wait, you can cancel what has not shipped: {{ links.cancel }}
{% endif %}
${STATUS}

${SIGNATURE}`,
      `${p(HI)}
${p(`Thank you for your order <strong>${REF}</strong> at {{ store.name }}.`)}
${IN_STOCK}{% if inStock.size > 0 %}
${p('<strong>In stock, ships now:</strong>')}
${itemRows('line in inStock', 'line', `<strong>{{ line.allocated }} × ${titleLink('line.variant')}</strong>${arrives('line', '<br>Arriving')}`)}
{% endif %}{% if order.hasBackorders %}
${p('<strong>Backordered:</strong> not in stock yet. Your place in the queue is kept, and these ship as soon as stock arrives:')}
${waitingList(true)}
${p(`We will write if a date changes. If you would rather not wait, you can ${a('links.cancel', 'cancel what has not shipped')}.`)}
{% endif %}
${HTML_STATUS}
${HTML_SIGNATURE}`,
    ),
    sms:
      `{{ store.name }}: order ${REF} confirmed.{% if order.hasBackorders %} Backordered: ` +
      `{% for line in order.backorderedLines %}{{ line.title }} ({% if line.eta %}ships by ${shortDate('line.eta')}{% else %}date to come{% endif %})` +
      `{% unless forloop.last %}; {% endunless %}{% endfor %}.${IN_STOCK}{% if inStock.size > 0 %} The rest ships now.{% endif %}{% endif %}` +
      ' Order: {{ links.status }}',
  },

  status_update: {
    email: email(
      'Your backorder at {{ store.name }}: where it stands',
      `${HI}

Here is where the backordered items from your order ${REF} stand:

{% for line in order.backorderedLines %}- {{ line.backordered }} × {{ line.title }}: {% if line.unitsAhead == 0 %}you are next in line{% elsif line.unitsAhead %}{{ line.unitsAhead }} {% if line.unitsAhead == 1 %}unit is{% else %}units are{% endif %} ahead of you in the queue{% else %}waiting for stock{% endif %}; ${shipsBy('line')}${arrives('line')}.
{% else %}Nothing is waiting any more: everything on your order is in stock.
{% endfor %}
There is nothing you need to do: these ship as soon as stock arrives, and we will write if a date changes.

${STATUS}

${SIGNATURE}

You get an update like this from time to time while items wait. To stop them: {{ links.unsubscribe }}`,
      `${p(HI)}
${p(`Here is where the backordered items from your order ${REF} stand:`)}
${list(
  'line in order.backorderedLines',
  `<strong>{{ line.backordered }} × ${titleLink('line.variant')}</strong>: {% if line.unitsAhead == 0 %}you are next in line{% elsif line.unitsAhead %}{{ line.unitsAhead }} {% if line.unitsAhead == 1 %}unit is{% else %}units are{% endif %} ahead of you in the queue{% else %}waiting for stock{% endif %}; ` +
    shipsBy('line') +
    arrives('line'),
  'Nothing is waiting any more: everything on your order is in stock.',
)}
${p('There is nothing you need to do: these ship as soon as stock arrives, and we will write if a date changes.')}
${HTML_STATUS}
${HTML_SIGNATURE}
${small(`You get an update like this from time to time while items wait. ${a('links.unsubscribe', 'Stop these updates')}.`)}`,
    ),
    sms:
      `{{ store.name }}: order ${REF}. {% for line in order.backorderedLines %}{{ line.title }}: ` +
      '{% if line.unitsAhead == 0 %}next in line{% elsif line.unitsAhead %}{{ line.unitsAhead }} ahead of you{% else %}waiting{% endif %}' +
      `{% if line.eta %}, ships by ${shortDate('line.eta')}{% endif %}{% unless forloop.last %}; {% endunless %}{% endfor %}.` +
      ' Order: {{ links.status }} Stop updates: {{ links.unsubscribe }}',
  },

  delay_notice: {
    email: email(
      `A delay on your order ${REF}: {{ line.title }}`,
      `${HI}

We are sorry: {{ line.title }} from your order ${REF} is going to ship later than we told you.

{% if delay.previousEta %}We expected to ship it by ${date('delay.previousEta')}. {% endif %}{% if delay.eta %}It should now ship by ${date('delay.eta')}{% if delay.daysLater > 0 %}, {{ delay.daysLater }} {% if delay.daysLater == 1 %}day{% else %}days{% endif %} later{% endif %}${arrives('line')}.{% else %}We do not have a new date yet, and will write as soon as we do.{% endif %}
{% if incentive %}
As a thank-you for waiting: {{ incentive.description }}{% if incentive.kind == "free_express" %}{% if incentive.deliveryEta %}: it now arrives ${date('incentive.deliveryEta')}{% if incentive.deliveryEtaLatest != incentive.deliveryEta %} to ${date('incentive.deliveryEtaLatest')}{% endif %}{% if incentive.shippingMethod != blank %} by {{ incentive.shippingMethod }}{% endif %}{% endif %}{% else %}, with the code {{ incentive.code }}{% endif %}.
{% endif %}
What would you like to do?

- Keep waiting, and keep your place in the queue: {{ links.keep }}
- Switch to an alternative: {{ links.switch }}
- ${CANCEL_LABEL}: {{ links.cancel }}

${STATUS}

${SIGNATURE}`,
      `${p(HI)}
<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:8px 0"><tr><td style="padding:0 12px 0 0;vertical-align:top">${picture('line.variant', 64)}</td>
<td style="vertical-align:top">${p(`We are sorry: <strong>${titleLink('line.variant')}</strong> from your order ${REF} is going to ship later than we told you.`)}</td></tr></table>
${p(`{% if delay.previousEta %}We expected to ship it by ${date('delay.previousEta')}. {% endif %}{% if delay.eta %}It should now ship by <strong>${date('delay.eta')}</strong>{% if delay.daysLater > 0 %}, {{ delay.daysLater }} {% if delay.daysLater == 1 %}day{% else %}days{% endif %} later{% endif %}${arrives('line')}.{% else %}We do not have a new date yet, and will write as soon as we do.{% endif %}`)}
{% if incentive %}${p(`As a thank-you for waiting: {{ incentive.description }}{% if incentive.kind == "free_express" %}{% if incentive.deliveryEta %}: it now arrives <strong>${date('incentive.deliveryEta')}{% if incentive.deliveryEtaLatest != incentive.deliveryEta %} to ${date('incentive.deliveryEtaLatest')}{% endif %}</strong>{% if incentive.shippingMethod != blank %} by {{ incentive.shippingMethod }}{% endif %}{% endif %}{% else %}, with the code <strong>{{ incentive.code }}</strong>{% endif %}.`)}{% endif %}
${p('What would you like to do?')}
${button('links.keep', 'Keep waiting')}
${button('links.switch', 'Switch to an alternative')}
${button('links.cancel', CANCEL_LABEL)}
${p(a('links.status', 'See your order'))}
${HTML_SIGNATURE}`,
    ),
    sms:
      `{{ store.name }}: sorry, {{ line.title }} (order ${REF}) is delayed` +
      `{% if delay.eta %}, now ships by ${shortDate('delay.eta')}{% endif %}{% if delay.previousEta %} (was ${shortDate('delay.previousEta')}){% endif %}.` +
      '{% if incentive %} For the wait: {{ incentive.description }}{% if incentive.kind != "free_express" %}, code {{ incentive.code }}{% endif %}.{% endif %}' +
      ' Keep waiting, switch or cancel: {{ links.status }}',
  },

  ready_to_ship: {
    email: email(
      'Good news: {{ line.title }} is ready to ship',
      `${HI}

Good news: {{ line.title }} from your order ${REF} has arrived. {% if line.allocated > 1 %}All {{ line.allocated }} are{% else %}It is{% endif %} set aside for you and ready to ship${arrives('line')}. We will send the tracking details when it ships.
{% if order.hasBackorders %}
Still waiting for stock:
${waitingList(false)}{% endif %}
${STATUS}

${SIGNATURE}`,
      `${p(HI)}
${p(`Good news: <strong>${titleLink('line.variant')}</strong> from your order ${REF} has arrived. {% if line.allocated > 1 %}All {{ line.allocated }} are{% else %}It is{% endif %} set aside for you and ready to ship${arrives('line')}. We will send the tracking details when it ships.`)}
{% if order.hasBackorders %}${p('Still waiting for stock:')}
${waitingList(true)}{% endif %}
${HTML_STATUS}
${HTML_SIGNATURE}`,
    ),
    sms: `{{ store.name }}: good news, {{ line.title }} (order ${REF}) is in stock and ready to ship. Order: {{ links.status }}`,
  },

  shipped: {
    email: email(
      `Items from your order ${REF} have shipped`,
      `${HI}

These items from your order ${REF} are on their way:

{% for item in shipment.lines %}- {{ item.quantity }} × {{ item.title }}
{% endfor %}
{% if shipment.carrier != blank %}Carrier: {{ shipment.carrier }}
{% endif %}{% if shipment.trackingNumber != blank %}Tracking number: {{ shipment.trackingNumber }}
{% endif %}
{% if order.hasBackorders %}
Still waiting for stock, shipping separately:
${waitingList(false)}{% endif %}
${STATUS}

${SIGNATURE}`,
      `${p(HI)}
${p(`These items from your order ${REF} are on their way:`)}
${list('item in shipment.lines', '{{ item.quantity }} × {{ item.title }}')}
{% if shipment.carrier != blank %}${p('Carrier: <strong>{{ shipment.carrier }}</strong>')}{% endif %}
{% if shipment.trackingNumber != blank %}${p('Tracking number: <strong>{{ shipment.trackingNumber }}</strong>')}{% endif %}
{% if order.hasBackorders %}${p('Still waiting for stock, shipping separately:')}
${waitingList(true)}{% endif %}
${HTML_STATUS}
${HTML_SIGNATURE}`,
    ),
    sms:
      `{{ store.name }}: items from order ${REF} have shipped{% if shipment.carrier != blank %} with {{ shipment.carrier }}{% endif %}` +
      '{% if shipment.trackingNumber != blank %}, tracking number {{ shipment.trackingNumber }}{% endif %}.' +
      '{% if order.hasBackorders %} Backordered items follow separately.{% endif %} Order: {{ links.status }}',
  },

  cancelled: {
    email: email(
      `Cancelled: items from your order ${REF}`,
      `${HI}
${CANCELLED_LINES}
{% if cancelledLines.size > 0 %}We have cancelled these items from your order ${REF}:

{% for line in cancelledLines %}- {{ line.cancelled }} × {{ line.title }}
{% endfor %}{% else %}We have cancelled your order ${REF}.
{% endif %}
{% if cancellation.reason != blank %}Reason: {{ cancellation.reason }}
{% endif %}
{% if refund %}We are refunding {{ refund.amount }}. Depending on your bank, it can take a few days to show on your statement.
{% elsif store.refundsAutomatic %}Anything you paid for them is refunded automatically.
{% endif %}
${STATUS}

${SIGNATURE}`,
      `${p(HI)}
${CANCELLED_LINES}{% if cancelledLines.size > 0 %}${p(`We have cancelled these items from your order ${REF}:`)}
${list('line in cancelledLines', '{{ line.cancelled }} × {{ line.title }}')}{% else %}${p(`We have cancelled your order ${REF}.`)}{% endif %}
{% if cancellation.reason != blank %}${p('Reason: {{ cancellation.reason }}')}{% endif %}
{% if refund %}${p('We are refunding <strong>{{ refund.amount }}</strong>. Depending on your bank, it can take a few days to show on your statement.')}{% elsif store.refundsAutomatic %}${p('Anything you paid for them is refunded automatically.')}{% endif %}
${HTML_STATUS}
${HTML_SIGNATURE}`,
    ),
    sms:
      `{{ store.name }}: we have cancelled ${CANCELLED_LINES}{% for line in cancelledLines %}{{ line.cancelled }} x {{ line.title }}` +
      `{% unless forloop.last %}, {% endunless %}{% endfor %}{% if cancelledLines.size > 0 %} from {% endif %}order ${REF}.` +
      '{% if refund %} Refund: {{ refund.amount }}.{% endif %} Order: {{ links.status }}',
  },

  refunded: {
    email: email(
      `Refund of {{ refund.amount }} for your order ${REF}`,
      `${HI}

We have refunded {{ refund.amount }} for your order ${REF}{% if line %} ({{ line.title }}){% endif %}{% if refund.reason != blank %}: {{ refund.reason }}{% endif %}.

The money goes back the way you paid. Depending on your bank, it can take a few days to show on your statement.

${STATUS}

${SIGNATURE}`,
      `${p(HI)}
${p(`We have refunded <strong>{{ refund.amount }}</strong> for your order ${REF}{% if line %} ({{ line.title }}){% endif %}{% if refund.reason != blank %}: {{ refund.reason }}{% endif %}.`)}
${p('The money goes back the way you paid. Depending on your bank, it can take a few days to show on your statement.')}
${HTML_STATUS}
${HTML_SIGNATURE}`,
    ),
    sms: `{{ store.name }}: we have refunded {{ refund.amount }} for order ${REF}. It can take a few days to show on your statement. Order: {{ links.status }}`,
  },

  payment_needed: {
    email: email(
      `Payment needed for your order ${REF}`,
      `${HI}

We need a payment of {{ payment.amount }} for your order ${REF}{% if line %} ({{ line.title }}){% endif %}{% if payment.payBy != blank %} by ${date('payment.payBy')}{% endif %}.
{% if payment.message != blank %}
{{ payment.message }}
{% endif %}
${STATUS}

${SIGNATURE}`,
      `${p(HI)}
${p(`We need a payment of <strong>{{ payment.amount }}</strong> for your order ${REF}{% if line %} ({{ line.title }}){% endif %}{% if payment.payBy != blank %} by <strong>${date('payment.payBy')}</strong>{% endif %}.`)}
{% if payment.message != blank %}${p('{{ payment.message }}')}{% endif %}
${HTML_STATUS}
${HTML_SIGNATURE}`,
    ),
    sms:
      `{{ store.name }}: a payment of {{ payment.amount }} is needed for order ${REF}` +
      `{% if payment.payBy != blank %} by ${shortDate('payment.payBy')}{% endif %}. {{ payment.message }} Order: {{ links.status }}`,
  },

  stock_alert: {
    email: email(
      'Back in stock: {{ variant.title }}',
      `${HI}

Good news: {{ variant.title }} is back in stock at {{ store.name }}.

Stock is limited, and others who asked are hearing about it now too, so it may not last long.
{% if variant.url != blank %}
Order it here: {{ variant.url }}
{% endif %}
${SIGNATURE}

You asked us to tell you when this item was back. To stop messages like this: {{ links.unsubscribe }}`,
      `${p(HI)}
{% if variant.imageUrl != blank %}<p>${picture('variant', 160)}</p>{% endif %}
${p(`Good news: <strong>${titleLink('variant')}</strong> is back in stock at {{ store.name }}.`)}
${p('Stock is limited, and others who asked are hearing about it now too, so it may not last long.')}
{% if variant.url != blank %}${button('variant.url', 'Order it now')}{% endif %}
${HTML_SIGNATURE}
${small(`You asked us to tell you when this item was back. ${a('links.unsubscribe', 'Stop messages like this')}.`)}`,
    ),
    sms:
      '{{ store.name }}: {{ variant.title }} is back in stock. Stock is limited.' +
      '{% if variant.url != blank %} Order: {{ variant.url }}{% endif %} Stop alerts: {{ links.unsubscribe }}',
  },

  merchant_digest: {
    email: email(
      `{{ store.name }} backorders on ${date('digest.date')}: {{ digest.newBackorders }} new`,
      `Backorders at {{ store.name }} on ${date('digest.date')}

New backorders: {{ digest.newBackorders }} ({{ digest.newBackorderUnits }} {% if digest.newBackorderUnits == 1 %}unit{% else %}units{% endif %})

Backorder limits reached:
{% for item in digest.limitsReached %}- {{ item.sku }}: limit of {{ item.limit }} reached
{% else %}- None
{% endfor %}
Late purchase orders:
{% for po in digest.latePurchaseOrders %}- {{ po.id }} from {{ po.supplier }}, expected ${date('po.expectedDate')}
{% else %}- None
{% endfor %}
Messages that failed:
{% for message in digest.failedMessages %}- {{ message.kind }} by {{ message.channel }} to {{ message.recipient }}: {{ message.error }}
{% else %}- None
{% endfor %}`,
      `${p(`<strong>Backorders at {{ store.name }} on ${date('digest.date')}</strong>`)}
${p('New backorders: <strong>{{ digest.newBackorders }}</strong> ({{ digest.newBackorderUnits }} {% if digest.newBackorderUnits == 1 %}unit{% else %}units{% endif %})')}
${p('Backorder limits reached:')}
${list('item in digest.limitsReached', '{{ item.sku }}: limit of {{ item.limit }} reached', 'None')}
${p('Late purchase orders:')}
${list('po in digest.latePurchaseOrders', `{{ po.id }} from {{ po.supplier }}, expected ${date('po.expectedDate')}`, 'None')}
${p('Messages that failed:')}
${list(
  'message in digest.failedMessages',
  '{{ message.kind }} by {{ message.channel }} to {{ message.recipient }}: {{ message.error }}',
  'None',
)}`,
    ),
  },
};

/** The built-in template of `kind` on `channel` (callers check the pair exists: see `hasTemplate`). */
export function defaultTemplate(kind: TemplateKind, channel: TemplateChannel): MessageTemplate {
  const defaults = DEFAULTS[kind];
  if (channel === 'email') return { kind, channel, ...defaults.email };
  return { kind, channel, subject: null, body: defaults.sms ?? '', html: null };
}
