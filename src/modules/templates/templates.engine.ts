import {
  CaptureTag,
  Context,
  type Emitter,
  type FS,
  Liquid,
  type LiquidOptions,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  toValue,
  toValueSync,
} from 'liquidjs';

/**
 * The Liquid sandbox. Templates are written by merchants and rendered with shoppers' data, so the
 * engine is shut in: no files (include/render/layout are refused at parse time, and its file
 * system refuses everything anyway), no network (Liquid has none, and no tag or filter that could
 * reach it is added), own properties only, unknown filters refused, and every render bounded in
 * time and in memory — its output included. One configuration, two instances: plain text, and
 * HTML, where every output is escaped.
 */

export type Markup = 'text' | 'html';

/** A render that takes longer than this is stopped. */
const RENDER_LIMIT_MS = 1_000;
/** Characters of output plus Liquid's own allocations (ranges, string filters) one render may use. */
const MEMORY_LIMIT = 1_000_000;
/** Longest source Liquid will parse at all (the template checks set lower limits per part). */
const PARSE_LIMIT = 200_000;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
// What Liquid's own escape filter produces, so it can be undone before escaping once.
const HTML_UNESCAPES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#34;': '"',
  '&#39;': "'",
};
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

function textOf(value: unknown): string {
  const plain = toValue(value);
  if (plain === null || plain === undefined) return '';
  if (Array.isArray(plain)) return plain.map(textOf).join('');
  return String(plain);
}

/** HTML outputs are escaped once: a merchant's habitual `| escape` must not show `&amp;lt;`. */
const escapeOnce = (value: unknown): string =>
  escapeHtml(textOf(value).replace(/&(?:amp|lt|gt|quot|#34|#39);/g, (entity) => HTML_UNESCAPES[entity]!));

const noFiles = (): never => {
  throw new Error('templates cannot read files');
};
/** Second guard behind the refused tags: a file system that has nothing and reads nothing. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => noFiles(),
  readFileSync: noFiles,
  resolve: noFiles,
  contains: async () => false,
  containsSync: () => false,
};

const REFUSED_TAGS: Record<string, string> = {
  include: 'templates cannot load other files',
  render: 'templates cannot load other files',
  layout: 'templates cannot load other files',
  block: 'it only makes sense with layout, which templates cannot use',
  cycle: 'it would write values without HTML escaping',
};

class RefusedTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`the "${token.name}" tag is not allowed: ${REFUSED_TAGS[token.name]}`);
  }
  render(): void {}
}

/** Writes output while charging it to the render's memory limit, so output is bounded too. */
class ChargedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly ctx: Context) {}
  write(value: unknown): void {
    const text = textOf(value);
    this.ctx.memoryLimit.use(text.length);
    this.buffer += text;
  }
}

/** `capture` renders into a buffer of its own: that one is charged as well. */
class ChargedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    const emitter = new ChargedEmitter(ctx);
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    ctx.bottom()[this.variable] = emitter.buffer;
  }
}

function createEngine(markup: Markup): Liquid {
  const options: LiquidOptions = {
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    globals: {},
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    // Context dates are plain YYYY-MM-DD in the store's zone: format them as they are.
    timezoneOffset: 0,
    locale: 'en-US',
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    ...(markup === 'html' ? { outputEscape: escapeOnce } : {}),
  };
  const liquid = new Liquid(options);
  for (const name of Object.keys(REFUSED_TAGS)) liquid.registerTag(name, RefusedTag);
  liquid.registerTag('capture', ChargedCapture);
  // `raw` would switch HTML escaping off for a value.
  liquid.unregisterFilter('raw');
  return liquid;
}

const engines: Record<Markup, Liquid> = { text: createEngine('text'), html: createEngine('html') };

/** Parses a template; throws Liquid's error (syntax, refused tag, unknown filter). */
export const parseTemplate = (markup: Markup, source: string): Template[] => engines[markup].parse(source);

/**
 * Parsed templates by markup and source, for rendering: a sale renders the same few templates
 * thousands of times, and parsing was ~1.5 ms of each email's ~4.6 ms of LiquidJS. The source is
 * the key, so an edited template is parsed afresh; the oldest entry goes when the cache is full.
 */
const PARSED_KEPT = 200;
const parsed = new Map<string, Template[]>();

export function parseCachedTemplate(markup: Markup, source: string): Template[] {
  const key = `${markup}\u0000${source}`;
  let templates = parsed.get(key);
  if (!templates) {
    templates = parseTemplate(markup, source);
    if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, templates);
  }
  return templates;
}

/**
 * Renders parsed templates within the limits. `strict` makes an undefined variable an error (the
 * trial render of a template check); real messages render what is missing as empty.
 */
export function renderParsed(
  markup: Markup,
  templates: Template[],
  context: object,
  strict: boolean,
): string {
  const liquid = engines[markup];
  const ctx = new Context(context, liquid.options, { sync: true, strictVariables: strict }, { liquid });
  const emitter = new ChargedEmitter(ctx);
  toValueSync(liquid.renderer.renderTemplates(templates, ctx, emitter));
  return emitter.buffer;
}

/** A Liquid error, worded for a merchant. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace('memory alloc limit exceeded', 'uses too much memory or makes too much output')
    .replace('template render limit exceeded', `takes longer than ${RENDER_LIMIT_MS} ms to render`)
    .replace(/, line:(\d+), col:(\d+)$/, ' (line $1, column $2)');
}
