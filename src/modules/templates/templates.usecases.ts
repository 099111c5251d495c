import { and, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import {
  channelsOf,
  hasTemplate,
  type MessageContext,
  TEMPLATE_KINDS,
  type TemplateChannel,
  type TemplateKind,
  variablesOf,
} from './templates.context.ts';
import { defaultTemplate } from './templates.defaults.ts';
import { noSuchTemplate, templateInvalid } from './templates.errors.ts';
import {
  blankToNull,
  type MessageTemplate,
  type RenderedMessage,
  renderTemplate,
  type TemplateParts,
  validateTemplate,
} from './templates.models.ts';
import { sampleContext } from './templates.samples.ts';
import { messageTemplates } from './templates.tables.ts';

/** A template as the API shows it: whose it is, its parts, and what it may use. */
export interface TemplateView extends MessageTemplate {
  source: 'default' | 'custom';
  /** Paths the kind's templates may use, e.g. `order.lines[].eta`. */
  variables: string[];
  /** When the store last saved it; null for a default. */
  updatedAt: string | null;
}

type TemplateRow = typeof messageTemplates.$inferSelect;

function viewOf(kind: TemplateKind, channel: TemplateChannel, row: TemplateRow | undefined): TemplateView {
  const template = row
    ? { kind, channel, subject: row.subject, body: row.body, html: row.html }
    : defaultTemplate(kind, channel);
  return {
    ...template,
    source: row ? 'custom' : 'default',
    variables: variablesOf(kind),
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}

/** Refuses a kind/channel pair that has no template (webhooks; the digest by SMS). */
function requirePair(kind: string, channel: string): TemplateKind {
  if (!hasTemplate(kind, channel)) throw noSuchTemplate(kind, channel);
  return kind;
}

const rowKey = (storeId: string, kind: string, channel: string) =>
  and(
    eq(messageTemplates.storeId, storeId),
    eq(messageTemplates.kind, kind),
    eq(messageTemplates.channel, channel),
  );

/** The store's own template for `kind` on `channel`, or the default. */
export async function templateFor(
  db: Executor,
  storeId: string,
  kind: string,
  channel: TemplateChannel,
): Promise<TemplateView> {
  const known = requirePair(kind, channel);
  const [row] = await db
    .select()
    .from(messageTemplates)
    .where(rowKey(storeId, kind, channel));
  return viewOf(known, channel, row);
}

/**
 * Templates read within one transaction (by store, kind and channel): a relay batch renders the
 * same few for hundreds of messages, and read them once each. The transaction is the key, so the
 * next one reads a template saved meanwhile.
 */
const readInTransaction = new WeakMap<Tx, Map<string, Promise<TemplateView>>>();

function templateInTransaction(
  tx: Tx,
  storeId: string,
  kind: string,
  channel: TemplateChannel,
): Promise<TemplateView> {
  const read = readInTransaction.get(tx) ?? new Map<string, Promise<TemplateView>>();
  readInTransaction.set(tx, read);
  const key = `${storeId}\u0000${kind}\u0000${channel}`;
  const template = read.get(key) ?? templateFor(tx, storeId, kind, channel);
  read.set(key, template);
  return template;
}

/**
 * What a message of `kind` on `channel` says for `context`: the store's template (or the default)
 * rendered. Throws `template_render_failed` when a stored template fails on this data.
 */
export async function renderMessage(
  tx: Tx,
  storeId: string,
  kind: string,
  channel: 'email' | 'sms',
  context: MessageContext,
): Promise<{ subject: string | null; body: string; html: string | null }> {
  return renderTemplate(await templateInTransaction(tx, storeId, kind, channel), context);
}

/** Every kind × channel, the store's own where it has one. */
export async function listTemplates(db: Executor, storeId: string): Promise<TemplateView[]> {
  const rows = await db.select().from(messageTemplates).where(eq(messageTemplates.storeId, storeId));
  return TEMPLATE_KINDS.flatMap((kind) =>
    channelsOf(kind).map((channel) =>
      viewOf(
        kind,
        channel,
        rows.find((row) => row.kind === kind && row.channel === channel),
      ),
    ),
  );
}

/** Problems as API field errors (JSON pointers into the request body). */
function refuseInvalid(kind: TemplateKind, channel: TemplateChannel, parts: TemplateParts): void {
  const problems = validateTemplate(kind, channel, parts);
  if (problems.length > 0) {
    throw templateInvalid(problems.map(({ path, message }) => ({ path: `/${path}`, message })));
  }
}

/** Saves the store's own template after checking it; an invalid one is refused and nothing is written. */
export async function saveTemplate(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  kind: string,
  channel: string,
  parts: TemplateParts,
): Promise<TemplateView> {
  const known = requirePair(kind, channel);
  const templateChannel = channel as TemplateChannel;
  refuseInvalid(known, templateChannel, parts);
  const values = { subject: blankToNull(parts.subject), body: parts.body, html: blankToNull(parts.html) };
  const [row] = await tx
    .insert(messageTemplates)
    .values({ storeId, kind, channel, ...values, updatedAt: deps.clock.now() })
    .onConflictDoUpdate({
      target: [messageTemplates.storeId, messageTemplates.kind, messageTemplates.channel],
      set: { ...values, updatedAt: deps.clock.now() },
    })
    .returning();
  return viewOf(known, templateChannel, row);
}

/** Goes back to the default (deleting the store's own; nothing to do if it has none). */
export async function resetTemplate(
  db: Executor,
  storeId: string,
  kind: string,
  channel: string,
): Promise<void> {
  requirePair(kind, channel);
  await db.delete(messageTemplates).where(rowKey(storeId, kind, channel));
}

export interface PreviewInput extends Partial<TemplateParts> {
  kind: string;
  channel: string;
}

export interface Preview extends RenderedMessage {
  /** The data the preview was rendered with. */
  sample: MessageContext;
}

/**
 * Renders a draft (checked like a save) or, with no body, the store's current template, against
 * the kind's sample data. Nothing is written.
 */
export async function previewTemplate(db: Executor, storeId: string, input: PreviewInput): Promise<Preview> {
  const kind = requirePair(input.kind, input.channel);
  const channel = input.channel as TemplateChannel;
  let template: MessageTemplate;
  if (input.body === undefined) {
    if (input.subject !== undefined || input.html !== undefined) {
      throw templateInvalid([{ path: '/body', message: 'is required to preview a draft subject or html' }]);
    }
    template = await templateFor(db, storeId, kind, channel);
  } else {
    const draft = { subject: input.subject, body: input.body, html: input.html };
    refuseInvalid(kind, channel, draft);
    template = {
      kind,
      channel,
      subject: blankToNull(draft.subject),
      body: draft.body,
      html: blankToNull(draft.html),
    };
  }
  const sample = sampleContext(kind);
  return { ...renderTemplate(template, sample), sample };
}
