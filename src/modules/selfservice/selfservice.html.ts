/**
 * The frame of the shopper's pages: escaped HTML templates, one inline stylesheet (screen, down
 * to 360 px, and print), the header with the store's name and the language switcher, and dates
 * in the shopper's locale. Plain semantic HTML: no script, nothing loaded from elsewhere but the
 * merchant's product pictures.
 */
import { escapeHtml } from '../templates/templates.engine.ts';
import { formatDay, LANGUAGES, type Lang, type Locale, wordsFor } from './selfservice.i18n.ts';
import type { Words } from './selfservice.words.ts';

/** Marks text already rendered as HTML, so `html` does not escape it twice. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
export type Part = Html | string | number | null | undefined | false | readonly Part[];

const render = (part: Part): string => {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
};

/** A template tag: interpolated values are escaped unless they are `Html`. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}

export interface PageStore {
  name: string;
  currency: string;
  timezone: string;
  refundsAutomatic: boolean;
}

/** What every page needs to speak to the shopper: the store, the language, and where it is. */
export interface PageContext {
  store: PageStore | null;
  locale: Locale;
  words: Words<Html>;
  /** This page's signed query (`?…`, without `lang`), for the language switcher; null = none. */
  here: string | null;
}

export const pageContext = (store: PageStore | null, locale: Locale, here: string | null): PageContext => ({
  store,
  locale,
  words: wordsFor<Html>(locale.lang),
  here,
});

/** `query` (a signed `?…`) in the page's language, so the next page speaks it too. */
export const inLanguage = (query: string, lang: Lang): string => `${query}&lang=${lang}`;

/** A calendar date in the shopper's locale, marked up with its machine-readable value. */
export const date = (ctx: PageContext, day: string): Html =>
  html`<time datetime="${day}">${formatDay(ctx.locale.locale, day)}</time>`;

const STYLE = `
:root{color-scheme:light;--ink:#1a1a1a;--muted:#4a4a4a;--line:#c9d1d9;--brand:#0b57d0;--danger:#a50e0e;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff;-webkit-text-size-adjust:100%}
.wrap{max-width:46rem;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid var(--line)}
header .wrap{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding-top:.75rem;padding-bottom:.75rem}
.store{font-weight:700;font-size:1.1rem;margin:0}
.langs ul{display:flex;gap:.25rem;list-style:none;margin:0;padding:0}
.langs a{display:inline-block;padding:.35rem .6rem;border-radius:4px;text-decoration:none;color:var(--brand)}
.langs a[aria-current]{background:var(--soft);color:var(--ink);font-weight:600}
main{padding-top:.5rem;padding-bottom:2rem}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.95rem}
footer .wrap{padding-top:1rem;padding-bottom:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:1rem 0 .25rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
h3{font-size:1.1rem;margin:0;line-height:1.35}
a{color:var(--brand)}
p{margin:.5rem 0}
.lede{color:var(--muted);margin:0 0 1rem}
.note{background:var(--soft);border-left:4px solid var(--brand);padding:.75rem 1rem;border-radius:0 6px 6px 0}
.warning{background:#fdf1f0;border-left:4px solid var(--danger);padding:.75rem 1rem;border-radius:0 6px 6px 0}
.lines{list-style:none;margin:0;padding:0;display:grid;gap:1rem}
.line{border:1px solid var(--line);border-radius:8px;padding:1rem;display:grid;grid-template-columns:4.5rem minmax(0,1fr);grid-template-areas:"picture head" "picture details";gap:0 1rem;break-inside:avoid}
.line.no-picture{grid-template-columns:minmax(0,1fr);grid-template-areas:"head" "details"}
.picture{grid-area:picture}
.head{grid-area:head}
.details{grid-area:details}
.picture img{display:block;width:4.5rem;height:4.5rem;object-fit:cover;border-radius:6px;background:var(--soft)}
.sku{color:var(--muted);font-size:.9rem;margin:.1rem 0 .5rem}
.badge{display:inline-block;font-size:.85rem;font-weight:600;padding:.1rem .55rem;border-radius:999px;margin:0 0 .5rem}
.badge.waiting{background:#fff4ce;color:#5c3c00}
.badge.ready{background:#e6f4ea;color:#0d5223}
.badge.shipped{background:#e8f0fe;color:#174ea6}
.badge.cancelled{background:#eeeeee;color:#3c3c3c}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0}
.facts dt{color:var(--muted)}
.facts dd{margin:0}
.reason{margin:.5rem 0}
.history{margin:.75rem 0 0;font-size:.95rem}
.history h4{font-size:.95rem;margin:0 0 .25rem;color:var(--muted)}
.history ol{margin:0;padding-left:1.25rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
.actions form{margin:0}
.button,button{display:inline-block;vertical-align:middle;min-height:2.75rem;font:inherit;font-weight:600;line-height:1.5;padding:.55rem 1rem;border:2px solid var(--brand);border-radius:6px;background:var(--brand);color:#fff;cursor:pointer;text-decoration:none;text-align:center}
.button.secondary,button.secondary{background:#fff;color:var(--brand)}
.button.danger,button.danger{background:#fff;color:var(--danger);border-color:var(--danger)}
button.danger.solid{background:var(--danger);color:#fff}
:focus-visible{outline:3px solid var(--ink);outline-offset:2px}
fieldset{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:0 0 1rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.6rem;align-items:flex-start;margin:.5rem 0}
.choice input{width:1.25rem;height:1.25rem;margin:.15rem 0 0;flex:none}
.nowrap{white-space:nowrap}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.print-only{display:none}
@media (max-width:30rem){
 h1{font-size:1.35rem}
 .line{grid-template-columns:3.5rem minmax(0,1fr);grid-template-areas:"picture head" "details details";gap:0 .75rem;padding:.75rem}
 .picture img{width:3.5rem;height:3.5rem}
 .facts{grid-template-columns:1fr;gap:0}
 .facts dd{margin-bottom:.35rem}
 .actions>*,.actions form,.actions button{width:100%}
}
@media print{
 @page{margin:1.5cm}
 body{font-size:11pt}
 .langs,.actions,.no-print,form{display:none!important}
 .print-only{display:block}
 header,footer{border-color:#999}
 a{color:inherit;text-decoration:none}
 .line{border-color:#999}
 .badge{border:1px solid #999;background:none!important;color:#000!important}
}
`;

function languageSwitcher(ctx: PageContext): Html | '' {
  if (ctx.here === null) return '';
  const links = LANGUAGES.map((lang) => {
    const name = wordsFor(lang).languageName;
    const current = lang === ctx.locale.lang;
    return html`<li><a href="${inLanguage(ctx.here!, lang)}" lang="${lang}" hreflang="${lang}"${
      current ? html` aria-current="true"` : ''
    }>${name}</a></li>`;
  });
  return html`<nav class="langs" aria-label="${ctx.words.languageLabel}"><ul>${links}</ul></nav>`;
}

/** `heading` when the page's h1 needs markup its `title` (in the tab) cannot carry. */
export function layout(ctx: PageContext, title: string, body: Html, heading: Html | string = title): string {
  const storeName = ctx.store?.name ?? null;
  const fullTitle = storeName ? `${title} – ${storeName}` : title;
  return `<!doctype html>${html`<html lang="${ctx.locale.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${fullTitle}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><div class="wrap"><p class="store">${storeName ?? ctx.words.selfService}</p>${languageSwitcher(ctx)}</div></header>
<main class="wrap">
<h1>${heading}</h1>
${body}
</main>
<footer><div class="wrap"><p>${ctx.words.questions(storeName)}</p></div></footer>
</body>
</html>
`}`;
}

export function postForm(
  action: string,
  label: Html | string,
  options: { style?: 'secondary' | 'danger' | 'danger solid'; name?: string } = {},
): Html {
  return html`<form method="post" action="${action}"><button type="submit"${
    options.style ? html` class="${options.style}"` : ''
  }${options.name ? html` aria-label="${options.name}"` : ''}>${label}</button></form>`;
}

/** A page's words with dates: `[text, date, text…]` parts as the dictionary returns them. */
export const parts = (value: readonly (string | Html)[]): Html => html`${value}`;
