/**
 * `<backfill-availability store="pk_…" sku="…" quantity="1">`: what a product page shows about a
 * variant — in stock, backorder or pre-order with the date for the chosen quantity, or sold out
 * with a notify-me form — read from Backfill's storefront API with the store's publishable key.
 * No framework: one shadow root, built once, whose words change as the answer does.
 */
import { STYLES } from './styles.ts';
import { TEXT_KEYS, type TextKey, type Texts, textsFor } from './texts.ts';
import { type AvailabilityAnswer, dateFormatter, viewOf, type WidgetView } from './view.ts';

/** Where the script came from: the API is on the same server unless `api` says otherwise. */
const SCRIPT_ORIGIN = (() => {
  const script = document.currentScript;
  return script instanceof HTMLScriptElement && script.src ? new URL(script.src).origin : location.origin;
})();

const attributeOf = (key: TextKey) => `text-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?(?:[ ().-]*[0-9]){5,15}[ ().-]*$/;
const QUANTITY_DELAY_MS = 250;

let instances = 0;

function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export class BackfillAvailability extends HTMLElement {
  static observedAttributes = [
    'store',
    'sku',
    'quantity',
    'lang',
    'api',
    'quantity-input',
    'phone',
    ...TEXT_KEYS.map(attributeOf),
  ];

  #texts: Partial<Texts> = {};
  #answer: AvailabilityAnswer | null = null;
  #failed = false;
  #subscribedSku: string | null = null;
  #shown = '';
  #controller: AbortController | null = null;
  #quantityInput: HTMLInputElement | HTMLSelectElement | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #id = `bf${++instances}`;
  readonly #ui;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const id = (name: string) => `${this.#id}-${name}`;
    const ui = {
      container: make('div', { part: 'container' }),
      status: make('p', { part: 'status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }),
      headline: make('strong', { part: 'headline' }),
      details: make('span', { part: 'details' }),
      message: make('p', { part: 'message', hidden: '' }),
      shipping: make('ul', { part: 'shipping', hidden: '' }),
      form: make('form', { part: 'form', hidden: '', novalidate: '' }),
      intro: make('p', { part: 'intro', id: id('intro') }),
      emailLabel: make('label', { part: 'label', for: id('email') }),
      email: make('input', {
        part: 'input',
        id: id('email'),
        type: 'email',
        name: 'email',
        autocomplete: 'email',
        required: '',
        'aria-describedby': id('intro'),
      }),
      phoneLabel: make('label', { part: 'label', for: id('phone') }),
      phone: make('input', {
        part: 'input',
        id: id('phone'),
        type: 'tel',
        name: 'phone',
        autocomplete: 'tel',
      }),
      consent: make('input', { type: 'checkbox', id: id('consent'), name: 'consent' }),
      consentText: make('span'),
      consentLabel: make('label', { part: 'consent', for: id('consent') }),
      button: make('button', { part: 'button', type: 'submit' }),
      feedback: make('p', {
        part: 'feedback',
        id: id('feedback'),
        role: 'status',
        'aria-live': 'polite',
        tabindex: '-1',
      }),
    };
    ui.status.append(ui.headline, ' ', ui.details);
    ui.consentLabel.append(ui.consent, ui.consentText);
    ui.form.append(
      ui.intro,
      ui.emailLabel,
      ui.email,
      ui.phoneLabel,
      ui.phone,
      ui.consentLabel,
      ui.button,
      ui.feedback,
    );
    ui.container.append(ui.status, ui.message, ui.shipping, ui.form);
    if (
      'adoptedStyleSheets' in root &&
      typeof CSSStyleSheet === 'function' &&
      'replaceSync' in CSSStyleSheet.prototype
    ) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(make('style', {}, document.createTextNode(STYLES)));
    }
    root.append(ui.container);
    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#subscribe();
    });
    this.#ui = ui;
  }

  /** Texts the merchant sets from script, over the shopper's language (attributes win over both). */
  get texts(): Partial<Texts> {
    return { ...this.#texts };
  }

  set texts(value: Partial<Texts>) {
    this.#texts = { ...value };
    this.#render();
  }

  /** The last answer read, or null. */
  get availability(): AvailabilityAnswer | null {
    return this.#answer;
  }

  connectedCallback(): void {
    this.#bindQuantityInput();
    this.#render();
    void this.#load();
  }

  disconnectedCallback(): void {
    this.#unbindQuantityInput();
    this.#controller?.abort();
    clearTimeout(this.#timer);
  }

  attributeChangedCallback(name: string, before: string | null, after: string | null): void {
    if (!this.isConnected || before === after) return;
    if (name === 'quantity-input') this.#bindQuantityInput();
    if (
      name === 'store' ||
      name === 'sku' ||
      name === 'quantity' ||
      name === 'api' ||
      name === 'quantity-input'
    ) {
      this.#later();
    } else this.#render();
  }

  /** The quantity the shopper chose: the input it is pointed at, else the `quantity` attribute. */
  get quantity(): number {
    const chosen = Number(this.#quantityInput?.value ?? this.getAttribute('quantity') ?? 1);
    return Number.isInteger(chosen) && chosen >= 1 && chosen <= 1_000_000 ? chosen : 1;
  }

  #locale(): string {
    const tag =
      this.closest('[lang]')?.getAttribute('lang') ||
      document.documentElement.lang ||
      navigator.language ||
      'en';
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([tag])[0] ?? 'en';
    } catch {
      return 'en';
    }
  }

  #textsNow(): Texts {
    const overrides: Partial<Texts> = { ...this.#texts };
    for (const key of TEXT_KEYS) {
      const text = this.getAttribute(attributeOf(key));
      if (text !== null) overrides[key] = text;
    }
    return textsFor(this.#locale(), overrides);
  }

  #api(): string {
    return (this.getAttribute('api') || SCRIPT_ORIGIN).replace(/\/+$/, '');
  }

  #request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.#api()}/v1/storefront/${path}`, {
      ...init,
      credentials: 'omit',
      headers: { authorization: `Bearer ${this.getAttribute('store') ?? ''}`, ...init.headers },
    });
  }

  readonly #onQuantity = () => this.#later();

  #bindQuantityInput(): void {
    this.#unbindQuantityInput();
    const selector = this.getAttribute('quantity-input');
    if (!selector) return;
    let found: Element | null = null;
    try {
      found = document.querySelector(selector);
    } catch {
      console.warn(`backfill-availability: quantity-input "${selector}" is not a CSS selector`);
    }
    if (found instanceof HTMLInputElement || found instanceof HTMLSelectElement) {
      this.#quantityInput = found;
      found.addEventListener('input', this.#onQuantity);
      found.addEventListener('change', this.#onQuantity);
    }
  }

  #unbindQuantityInput(): void {
    this.#quantityInput?.removeEventListener('input', this.#onQuantity);
    this.#quantityInput?.removeEventListener('change', this.#onQuantity);
    this.#quantityInput = null;
  }

  /** Reads again shortly: typing "12" asks once, not twice. */
  #later(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#load(), QUANTITY_DELAY_MS);
  }

  async #load(): Promise<void> {
    clearTimeout(this.#timer);
    const sku = this.getAttribute('sku');
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.#ui.container.setAttribute('aria-busy', 'true');
    try {
      if (!sku || !this.getAttribute('store'))
        throw new Error('set the store (publishable key) and sku attributes');
      const query = new URLSearchParams({ sku, quantity: String(this.quantity) });
      const response = await this.#request(`availability?${query}`, { signal: controller.signal });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      this.#answer = (await response.json()) as AvailabilityAnswer;
      this.#failed = false;
    } catch (error) {
      if (controller.signal.aborted) return;
      console.warn('backfill-availability: availability could not be read:', error);
      this.#answer = null;
      this.#failed = true;
    }
    this.#ui.container.removeAttribute('aria-busy');
    this.#render();
    this.dispatchEvent(
      new CustomEvent('backfill-availability', { detail: this.#answer, bubbles: true, composed: true }),
    );
  }

  #view(texts: Texts): WidgetView {
    const empty = { details: [], message: null, shipping: [], notify: false };
    if (this.#failed) return { ...empty, state: 'error', headline: texts.error };
    if (!this.#answer) return { ...empty, state: 'loading', headline: texts.loading };
    return viewOf(this.#answer, texts, dateFormatter(this.#locale()));
  }

  #render(): void {
    const ui = this.#ui;
    const texts = this.#textsNow();
    const view = this.#view(texts);
    this.setAttribute('state', view.state);
    // Only a real change goes into the live region, so screen readers announce changes only.
    const shown = JSON.stringify([view.headline, view.details]);
    if (shown !== this.#shown) {
      this.#shown = shown;
      ui.headline.textContent = view.headline;
      ui.details.replaceChildren(
        ...view.details.map((text) => make('span', { part: 'detail' }, document.createTextNode(text))),
      );
    }
    ui.message.hidden = view.message === null;
    ui.message.textContent = view.message ?? '';
    ui.shipping.hidden = view.shipping.length === 0;
    ui.shipping.setAttribute('aria-label', texts.shippingLabel);
    ui.shipping.replaceChildren(
      ...view.shipping.map((text) => make('li', { part: 'shipping-method' }, document.createTextNode(text))),
    );
    const subscribed = this.#subscribedSku !== null && this.#subscribedSku === this.getAttribute('sku');
    ui.form.hidden = !view.notify && !subscribed;
    const phoneOff = this.getAttribute('phone') === 'off';
    for (const element of [ui.intro, ui.emailLabel, ui.email, ui.button]) element.hidden = subscribed;
    for (const element of [ui.phoneLabel, ui.phone, ui.consentLabel]) element.hidden = subscribed || phoneOff;
    ui.intro.textContent = texts.notifyIntro;
    ui.emailLabel.textContent = texts.emailLabel;
    ui.phoneLabel.textContent = texts.phoneLabel;
    ui.consentText.textContent = texts.consentLabel;
    if (!ui.button.disabled) ui.button.textContent = texts.submit;
  }

  #problem(field: HTMLInputElement | null, text: string): void {
    const ui = this.#ui;
    ui.feedback.textContent = text;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', ui.feedback.id);
      field.focus();
    }
  }

  async #subscribe(): Promise<void> {
    const ui = this.#ui;
    const texts = this.#textsNow();
    for (const field of [ui.email, ui.phone, ui.consent]) {
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-describedby');
    }
    ui.email.setAttribute('aria-describedby', ui.intro.id);
    const sku = this.getAttribute('sku') ?? '';
    const email = ui.email.value.trim();
    const phone = ui.phone.hidden ? '' : ui.phone.value.trim();
    if (!EMAIL.test(email)) return this.#problem(ui.email, texts.emailInvalid);
    if (phone !== '' && !PHONE.test(phone)) return this.#problem(ui.phone, texts.phoneInvalid);
    if (phone !== '' && !ui.consent.checked) return this.#problem(ui.consent, texts.consentRequired);
    const post = (body: Record<string, string>) =>
      this.#request('stock-alerts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sku, ...body }),
      });
    ui.button.disabled = true;
    ui.button.textContent = texts.sending;
    ui.feedback.textContent = '';
    try {
      const byEmail = await post({ email });
      if (byEmail.status === 409) {
        ui.feedback.textContent = texts.canOrder;
        void this.#load();
        return;
      }
      if (byEmail.status === 422) {
        const body = (await byEmail.json().catch(() => ({}))) as { code?: string };
        return this.#problem(
          body.code === 'channel_unavailable' ? null : ui.email,
          body.code === 'channel_unavailable' ? texts.failed : texts.emailInvalid,
        );
      }
      if (!byEmail.ok) return this.#problem(null, texts.failed);
      let note = '';
      if (phone !== '') {
        const bySms = await post({ phone });
        if (bySms.status === 422) {
          const body = (await bySms.json().catch(() => ({}))) as { code?: string };
          note = body.code === 'channel_unavailable' ? texts.smsUnavailable : texts.phoneInvalid;
        }
      }
      this.#subscribedSku = sku;
      this.#render();
      ui.feedback.textContent = note ? `${texts.subscribed} ${note}` : texts.subscribed;
      // The form's fields are gone: keyboard focus moves to the answer instead of the page's top.
      ui.feedback.focus();
    } catch (error) {
      console.warn('backfill-availability: the sign-up failed:', error);
      this.#problem(null, texts.failed);
    } finally {
      ui.button.disabled = false;
      ui.button.textContent = texts.submit;
    }
  }
}
