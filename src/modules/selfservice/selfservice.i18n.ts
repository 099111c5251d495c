/**
 * The shopper's pages in the shopper's language: English, German and French. The language comes
 * from `?lang=` (the page's language switcher) or the browser's Accept-Language; dates are
 * written by `Intl` in the shopper's locale. The sentences are in `selfservice.words.*.ts`, one file
 * a language. Pure: no I/O.
 */

import { DE } from './selfservice.words.de.ts';
import { EN } from './selfservice.words.en.ts';
import { FR } from './selfservice.words.fr.ts';
import type { Words } from './selfservice.words.ts';

export const LANGUAGES = ['en', 'de', 'fr'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** A language and the locale its dates and numbers are written in (en-US and en-GB differ). */
export interface Locale {
  lang: Lang;
  locale: string;
}

const DEFAULT_LOCALES: Record<Lang, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' };

const isLang = (value: string): value is Lang => (LANGUAGES as readonly string[]).includes(value);

/**
 * The page's language: an explicit `?lang=` first, then the first Accept-Language range we speak
 * (by quality), else English. A regional tag we speak keeps its region for dates ("en-US").
 */
export function negotiateLocale(query: unknown, acceptLanguage: string | undefined): Locale {
  if (typeof query === 'string' && isLang(query)) return { lang: query, locale: DEFAULT_LOCALES[query] };
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    const lang = tag.slice(0, 2).toLowerCase();
    if (!isLang(lang)) continue;
    const regional =
      /^[a-z]{2}-[A-Za-z]{2}$/.test(tag) && Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0;
    return { lang, locale: regional ? tag : DEFAULT_LOCALES[lang] };
  }
  return { lang: 'en', locale: DEFAULT_LOCALES.en };
}

const WORDS: Record<Lang, Words<unknown>> = { en: EN, de: DE, fr: FR };

/** The words of a language, dates typed as the page renders them. */
export const wordsFor = <D>(lang: Lang): Words<D> => WORDS[lang] as Words<D>;

/** A calendar date (YYYY-MM-DD) written in `locale`, e.g. "18 December 2026" or "18. Dezember 2026". */
export function formatDay(locale: string, day: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}
