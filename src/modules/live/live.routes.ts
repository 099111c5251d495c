import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, problems } from '../../http/schemas.ts';
import { type LiveEvent, LiveFeed, type LiveSubscriber, RESUME_MAX } from './live.feed.ts';

/** A client that reads this slowly has stopped reading: it is dropped rather than buffered for. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const frame = (event: LiveEvent): string =>
  `id: ${event.seq}\nevent: change\ndata: ${JSON.stringify({ type: event.type, seq: event.seq })}\n\n`;

/**
 * One text/event-stream response. Live events that arrive while the connection's resume (the
 * events after its Last-Event-ID) is being read wait, and those the resume already sent are
 * skipped: a reconnecting client gets each event once.
 */
class EventStream implements LiveSubscriber {
  private pending: LiveEvent[] | null = [];
  private readonly resumed = new Set<number>();

  constructor(private readonly raw: ServerResponse) {}

  resume(events: readonly LiveEvent[]): void {
    for (const event of events) this.resumed.add(event.seq);
    this.write(events.map(frame).join(''));
    const waiting = this.pending ?? [];
    this.pending = null;
    this.deliver(waiting);
  }

  deliver(events: readonly LiveEvent[]): void {
    if (this.pending) {
      this.pending.push(...events);
      return;
    }
    const fresh = this.resumed.size === 0 ? events : events.filter((e) => !this.resumed.has(e.seq));
    if (fresh.length > 0) this.write(fresh.map(frame).join(''));
  }

  keepAlive(): void {
    this.write(': keep-alive\n\n');
  }

  close(): void {
    if (!this.raw.writableEnded) this.raw.end();
  }

  private write(text: string): void {
    if (text === '' || this.raw.writableEnded || this.raw.destroyed) return;
    if (this.raw.writableLength > MAX_BUFFERED_BYTES) {
      this.raw.destroy();
      return;
    }
    this.raw.write(text);
  }
}

/** A Last-Event-ID we handed out is a seq (digits); anything else is ignored (a fresh start). */
function lastSeqOf(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,15}$/.test(header.trim())) return null;
  return Number(header.trim());
}

export const liveRoutes: RouteRegistrar = (app, { deps }) => {
  // One poller per process, shared by every connection of every store.
  const feed = new LiveFeed(deps.db, { log: app.log });
  // Open streams never end by themselves: close them before the server waits for its connections.
  app.addHook('preClose', async () => feed.closeAll());
  app.addHook('onClose', async () => feed.stop());

  typed(app).get(
    '/v1/live',
    {
      config: { access: 'secret' },
      exposeHeadRoute: false,
      schema: {
        operationId: 'streamChanges',
        tags: ['Overview'],
        summary: "Server-sent events: one `change` per event of the store's outbox, as it commits",
        description:
          'A `text/event-stream` that stays open. Each event of the store (see `GET /v1/events` for the types) ' +
          'arrives within about a second of its commit as `event: change`, `id: <seq>`, ' +
          '`data: {"type":"order.placed","seq":123}`; a comment line `: keep-alive` comes every 15 s. ' +
          'A client reconnecting with `Last-Event-ID` first gets the events after that seq (at most ' +
          `${RESUME_MAX}, oldest first). Browsers: \`new EventSource('/v1/live')\` with the session cookie.`,
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({ maxLength: 40, description: 'The `id` of the last event received' }),
          ),
        }),
        response: {
          200: {
            description: 'The stream of changes',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          } as never,
          ...problems(...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const store = storeOf(request);
      const lastSeq = lastSeqOf(request.headers['last-event-id']);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold events back in their buffers.
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\nretry: 2000\n\n');
      const stream = new EventStream(raw);
      let unsubscribe: (() => void) | null = null;
      let closed = false;
      raw.on('close', () => {
        closed = true;
        unsubscribe?.();
      });
      try {
        unsubscribe = await feed.subscribe(store.id, stream);
        if (closed) return unsubscribe();
        stream.resume(lastSeq === null ? [] : await feed.eventsAfter(store.id, lastSeq));
      } catch (error) {
        request.log.error({ err: error }, 'live: the stream could not start');
        unsubscribe?.();
        stream.close();
      }
    },
  );
};
