/**
 * `/widget/demo`: a sample product page with the widget, as a theme would place it (the browser
 * tests drive it). Without `store` and `sku` it asks for them. Values are escaped; the page loads
 * only this server's `/widget.js` (the CSP allows nothing else) and uses no inline script.
 */
import { escapeHtml } from '../templates/templates.engine.ts';

export interface DemoQuery {
  store?: string;
  sku?: string;
  lang?: string;
  quantity?: number;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#fff}
header,main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #d0d7de}
.shop{font-weight:700;font-size:1.15rem;margin:0;letter-spacing:.02em}
.note{color:#57606a;font-size:.9rem;margin:0}
.product{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:2rem;align-items:start;margin-top:1rem}
.product img{width:100%;height:auto;border-radius:8px;background:#f6f8fa}
h1{font-size:1.75rem;line-height:1.2;margin:.25rem 0 .5rem}
.price{font-size:1.25rem;font-weight:600;margin:0 0 1rem}
.buy{display:grid;gap:1rem}
.quantity{display:flex;align-items:center;gap:.75rem}
.quantity label{font-weight:600}
.quantity input{font:inherit;width:5rem;padding:.45rem .6rem;border:1px solid #6e7781;border-radius:6px}
.cart{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:6px;background:#0b57d0;color:#fff;justify-self:start}
.about{color:#3d444d}
backfill-availability{--backfill-accent:#0b57d0;--backfill-radius:6px;padding:.9rem 1rem;border:1px solid #d0d7de;border-radius:8px;background:#f6f8fa}
backfill-availability::part(headline){font-size:1.05rem}
form.setup{display:grid;gap:.5rem;max-width:28rem}
form.setup input{font:inherit;padding:.45rem .6rem;border:1px solid #6e7781;border-radius:6px}
form.setup button{font:inherit;justify-self:start;padding:.5rem 1rem}
@media (max-width:40rem){.product{grid-template-columns:1fr}}
`;

const JACKET = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400">' +
    '<rect width="400" height="400" fill="#eef1f4"/>' +
    '<path d="M152 64l48 30 48-30 52 22 40 48 28 196-42 10-28-170-4 186H110l-4-186-28 170-42-10 28-196 40-48z" fill="#c8382c"/>' +
    '<path d="M200 94v262M118 250h50M232 250h50" stroke="#8f2319" stroke-width="6" fill="none"/>' +
    '<path d="M152 64l48 30 48-30-14 44h-68z" fill="#8f2319"/></svg>',
)}`;

const page = (lang: string, title: string, body: string) => `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
<script src="/widget.js" defer></script>
</head>
<body>
<header><p class="shop">Demo Outfitters</p><p class="note">Sample product page for the Backfill widget</p></header>
<main>
${body}
</main>
</body>
</html>
`;

export function demoPage(query: DemoQuery): string {
  const lang = query.lang && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(query.lang) ? query.lang : 'en';
  if (!query.store || !query.sku) {
    return page(
      lang,
      'Backfill widget demo',
      `<h1>Try the availability widget</h1>
<p>Give a store's publishable key and one of its SKUs (for example from <code>npx backfill seed --demo</code>).</p>
<form class="setup" method="get" action="">
<label for="store">Publishable key</label><input id="store" name="store" required placeholder="pk_…">
<label for="sku">SKU</label><input id="sku" name="sku" required>
<label for="lang">Language (en, de, fr)</label><input id="lang" name="lang" value="${escapeHtml(lang)}">
<button type="submit">Show the product page</button>
</form>`,
    );
  }
  return page(
    lang,
    'Trail Jacket — Demo Outfitters',
    `<div class="product">
<img src="${JACKET}" alt="A red trail jacket with a zip" width="400" height="400">
<div class="buy">
<div><h1>Trail Jacket</h1><p class="price">$129.00</p></div>
<div class="quantity"><label for="qty">Quantity</label>
<input id="qty" name="quantity" type="number" inputmode="numeric" min="1" max="99" value="${query.quantity ?? 1}"></div>
<backfill-availability store="${escapeHtml(query.store)}" sku="${escapeHtml(query.sku)}" quantity-input="#qty"></backfill-availability>
<button class="cart" type="button">Add to cart</button>
<p class="about">Waterproof, breathable and light enough to pack: a shell for every trail.</p>
</div>
</div>`,
  );
}
