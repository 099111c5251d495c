import type { Template } from 'liquidjs';
import {
  isTransactional,
  type MessageContext,
  type TemplateChannel,
  type TemplateKind,
} from './templates.context.ts';
import {
  describeError,
  escapeHtml,
  type Markup,
  parseCachedTemplate,
  parseTemplate,
  renderParsed,
} from './templates.engine.ts';
import { templateRenderFailed } from './templates.errors.ts';
import { sampleContext } from './templates.samples.ts';
import { unknownVariables } from './templates.variables.ts';

/**
 * The rules of message templates: what a template for a kind and channel must be to be saved,
 * and how one becomes a message (text tidied, HTML escaped or derived from the text). Rendering
 * happens in the sandbox of templates.engine.ts. Pure: no I/O.
 */

export type TemplatePart = 'subject' | 'body' | 'html';
export interface TemplateProblem {
  path: TemplatePart;
  message: string;
}
export interface TemplateParts {
  subject?: string | null;
  body: string;
  html?: string | null;
}
export interface MessageTemplate {
  kind: TemplateKind;
  channel: TemplateChannel;
  subject: string | null;
  body: string;
  html: string | null;
}
export interface RenderedMessage {
  subject: string | null;
  body: string;
  html: string | null;
}

/** Longest template source per part (characters). SMS bodies are also capped once rendered. */
const TEMPLATE_LIMITS = { subject: 500, body: 20_000, sms: 1_600, html: 100_000 } as const;
// ---------------------------------------------------------------------------------------------
// Text and HTML

/** Plain text as sent: no trailing spaces, at most one blank line in a row (so tags may sit on lines of their own). */
export const tidyText = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** A subject is one line. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The frame of every HTML email: readable on a phone, no external resources. */
export function htmlPage(content: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="margin:0;padding:24px 16px;background:#ffffff;color:#1f2328;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">',
    '<div style="max-width:560px;margin:0 auto">',
    content.trim(),
    '</div>',
    '</body></html>',
  ].join('\n');
}

const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

/** The HTML version of a plain-text email: escaped, paragraphs kept, links clickable. */
function htmlOfText(text: string): string {
  const linked = (escaped: string) =>
    escaped.replace(URL_PATTERN, (match) => {
      const url = match.replace(/[.,;:!?)]+$/, '');
      return `<a href="${url}">${url}</a>${match.slice(url.length)}`;
    });
  const paragraphs = tidyText(text)
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${linked(escapeHtml(paragraph)).replace(/\n/g, '<br>\n')}</p>`);
  return htmlPage(paragraphs.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Checking and rendering

const UNSUBSCRIBE =
  'must contain the unsubscribe link {{ links.unsubscribe }}: status updates and stock alerts are not ' +
  'transactional, so every one of them must let the shopper opt out';

const markupOf = (part: TemplatePart): Markup => (part === 'html' ? 'html' : 'text');

/** An absent, empty or blank part is no part (a blank subject or html means none). */
export const blankToNull = (text: string | null | undefined): string | null =>
  text === undefined || text === null || text.trim() === '' ? null : text;

/**
 * Parses, checks the variables of, and trial-renders one part against the kind's sample data
 * with strict variables (what static checking cannot type, like assigned values, fails here).
 */
function checkPart(
  kind: TemplateKind,
  channel: TemplateChannel,
  part: TemplatePart,
  source: string,
): string[] {
  const markup = markupOf(part);
  let templates: Template[];
  try {
    templates = parseTemplate(markup, source);
  } catch (error) {
    return [describeError(error)];
  }
  const unknown = unknownVariables(templates, kind);
  if (unknown.length > 0) return unknown;
  const sample = sampleContext(kind);
  let output: string;
  try {
    output = renderParsed(markup, templates, sample, true);
  } catch (error) {
    return [`cannot be rendered with the sample data: ${describeError(error)}`];
  }
  const problems: string[] = [];
  const unsubscribe = part === 'html' ? escapeHtml(sample.links.unsubscribe) : sample.links.unsubscribe;
  if (part !== 'subject' && !isTransactional(kind) && !output.includes(unsubscribe))
    problems.push(UNSUBSCRIBE);
  const length = tidyText(output).length;
  if (channel === 'sms' && length > TEMPLATE_LIMITS.sms) {
    problems.push(
      `renders to ${length} characters with the sample data; an SMS carries at most ${TEMPLATE_LIMITS.sms}`,
    );
  }
  return problems;
}

/**
 * Every problem with a template for `kind` on `channel` (empty = fine to save): what each channel
 * needs (email: subject and body, optional html; SMS: body only), sizes, syntax, unknown
 * variables, the unsubscribe link of non-transactional kinds, and a trial render of the sample.
 */
export function validateTemplate(
  kind: TemplateKind,
  channel: TemplateChannel,
  parts: TemplateParts,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const toCheck: [TemplatePart, string][] = [];
  const consider = (path: TemplatePart, source: string | null, limit: number) => {
    if (source === null) return;
    if (source.length > limit) {
      problems.push({ path, message: `is ${source.length} characters long; at most ${limit} are allowed` });
    } else toCheck.push([path, source]);
  };
  const subject = blankToNull(parts.subject);
  const html = blankToNull(parts.html);
  if (channel === 'sms') {
    if (subject !== null) problems.push({ path: 'subject', message: 'SMS messages have no subject' });
    if (html !== null) problems.push({ path: 'html', message: 'SMS messages have no HTML version' });
  } else {
    if (subject === null) problems.push({ path: 'subject', message: 'is required for email' });
    consider('subject', subject, TEMPLATE_LIMITS.subject);
    consider('html', html, TEMPLATE_LIMITS.html);
  }
  if (parts.body.trim() === '') problems.push({ path: 'body', message: 'is required' });
  else consider('body', parts.body, channel === 'sms' ? TEMPLATE_LIMITS.sms : TEMPLATE_LIMITS.body);
  for (const [path, source] of toCheck) {
    for (const message of checkPart(kind, channel, path, source)) problems.push({ path, message });
  }
  const order: TemplatePart[] = ['subject', 'body', 'html'];
  return problems.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path));
}

/**
 * Renders a template with real data. Missing optional data renders empty (not an error), text is
 * tidied (see `tidyText`), HTML outputs are escaped, and an email without an HTML template gets
 * one derived from its text. Throws `template_render_failed` if a limit is hit.
 */
export function renderTemplate(template: MessageTemplate, context: MessageContext): RenderedMessage {
  const render = (part: TemplatePart, source: string): string => {
    const markup = markupOf(part);
    try {
      return renderParsed(markup, parseCachedTemplate(markup, source), context, false);
    } catch (error) {
      throw templateRenderFailed(template.kind, template.channel, part, describeError(error));
    }
  };
  const body = tidyText(render('body', template.body));
  if (template.channel === 'sms') return { subject: null, body, html: null };
  const html = blankToNull(template.html);
  return {
    subject: oneLine(render('subject', template.subject ?? '')),
    body,
    html: html === null ? htmlOfText(body) : render('html', html),
  };
}
