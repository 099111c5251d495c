/**
 * Text messages within two segments. A segment holds 160 characters of the GSM 7-bit alphabet
 * (153 each when a message is split), but one character outside it sends the whole message as
 * UCS-2: 70 characters (67 when split). So typographic characters are first written in GSM ("—"
 * as "-", "×" as "x", "é" stays, "ő" loses its accent), then the text around the links is
 * shortened until the message fits. Links are never cut. Pure: no I/O.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters of the extension table: each takes two septets. */
const GSM_EXTENDED = '^{}\\[~]|€\f';
const GSM = new Set([...GSM_BASIC, ...GSM_EXTENDED]);

const REPLACEMENTS: Record<string, string> = {
  '—': '-',
  '–': '-',
  '‐': '-',
  '−': '-',
  '×': 'x',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '«': '"',
  '»': '"',
  '…': '...',
  '•': '-',
  '·': '-',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2009': ' ',
  '\t': ' ',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Œ: 'OE',
  œ: 'oe',
  ı: 'i',
};

/** `text` in the GSM alphabet where a close equivalent exists (others are left as they are). */
export function toGsm(text: string): string {
  let out = '';
  for (const char of text) {
    if (GSM.has(char)) out += char;
    else if (REPLACEMENTS[char] !== undefined) out += REPLACEMENTS[char];
    else {
      const bare = char.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...bare].every((c) => GSM.has(c)) && bare.length > 0 ? bare : char;
    }
  }
  return out;
}

const isGsm = (text: string): boolean => [...text].every((c) => GSM.has(c));

/** How many segments `text` is sent in. */
export function smsSegments(text: string): number {
  if (isGsm(text)) {
    const septets = [...text].reduce((n, c) => n + (GSM_EXTENDED.includes(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  // UCS-2 counts UTF-16 code units (an emoji takes two).
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}

export const SMS_MAX_SEGMENTS = 2;
const URL_PATTERN = /https?:\/\/\S+/g;

/**
 * `body` written in GSM where it can be, then shortened until it fits in `segments`: a stretch
 * of the longest text between links is cut out at words and marked "...". Links are kept whole
 * (if they alone overflow UCS-2's two segments, characters outside GSM become "?").
 */
export function fitSms(body: string, segments = SMS_MAX_SEGMENTS): string {
  let text = toGsm(body).trim();
  for (let round = 0; round < 200 && smsSegments(text) > segments; round++) {
    const limit = isGsm(text) ? (segments === 1 ? 160 : 153 * segments) : segments === 1 ? 70 : 67 * segments;
    const parts = splitLinks(text);
    const longest = parts
      .map((part, index) => ({ part, index }))
      .filter((p) => !p.part.link)
      .sort((a, b) => b.part.text.length - a.part.text.length)[0];
    if (!longest || longest.part.text.trim().length <= 3) break;
    const over = Math.max(1, [...text].length - limit);
    parts[longest.index] = { link: false, text: shorten(longest.part.text, over) };
    text = parts.map((p) => p.text).join('');
  }
  // Links alone too long for UCS-2 (three links are): the characters GSM lacks become "?".
  if (smsSegments(text) > segments) text = [...text].map((c) => (GSM.has(c) ? c : '?')).join('');
  return text;
}

function splitLinks(text: string): { link: boolean; text: string }[] {
  const parts: { link: boolean; text: string }[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push({ link: false, text: text.slice(at, match.index) });
    parts.push({ link: true, text: match[0] });
    at = match.index + match[0].length;
  }
  parts.push({ link: false, text: text.slice(at) });
  return parts;
}

/**
 * `part` less at least `over` characters: a stretch is cut out before its last words (which
 * usually label the link that follows, "Keep waiting: ") and marked "...".
 */
function shorten(part: string, over: number): string {
  const tailLength = Math.min(30, Math.floor(part.length / 3));
  let tailStart = part.length - tailLength;
  const space = part.indexOf(' ', tailStart);
  if (space >= 0 && space < part.length - 1) tailStart = space;
  const headLength = Math.max(0, tailStart - over - 3);
  let head = part.slice(0, headLength);
  const cut = head.lastIndexOf(' ');
  if (cut > headLength - 15 && cut > 0) head = head.slice(0, cut);
  return `${head.trimEnd()}...${part.slice(tailStart)}`;
}
