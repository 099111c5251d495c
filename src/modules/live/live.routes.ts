import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, problems } from '../../http/schemas.ts';
import {
  type FeedPosition,
  isAfter,
  type LiveEvent,
  LiveFeed,
  type LiveSubscriber,
  RESUME_MAX,
} from './live.feed.ts';

/** A client that reads this slowly has stopped reading: it is dropped rather than buffered for. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** The SSE id is the event's place in the feed, `<transaction id>-<seq>`: what a resume starts after. */
const frame = (event: LiveEvent): string =>
  `id: ${event.xid}-${event.seq}\nevent: change\ndata: ${JSON.stringify({ type: event.type, seq: event.seq })}\n\n`;

/**
 * One text/event-stream response. Live events that arrive while the connection's resume (the
 * events after its Last-Event-ID) is being read wait, and those the resume already sent, or that
 * come at or before the Last-Event-ID (the shared feed may still be behind it), are skipped: a
 * reconnecting client gets each event once.
 */
class EventStream implements LiveSubscriber {
  private pending: LiveEvent[] | null = [];
  private readonly resumed = new Set<number>();

  constructor(
    private readonly raw: ServerResponse,
    private readonly after: FeedPosition | null,
  ) {}

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
    const after = this.after;
    const fresh =
      this.resumed.size === 0 && after === null
        ? events
        : events.filter((e) => !this.resumed.has(e.seq) && (after === null || isAfter(e, after)));
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

/** A Last-Event-ID we handed out is `<xid>-<seq>`; anything else is ignored (a fresh start). */
function positionOf(header: string | undefined): FeedPosition | null {
  const match = header === undefined ? null : /^(\d{1,19})-(\d{1,15})$/.exec(header.trim());
  if (!match || BigInt(match[1]!) >= 2n ** 63n) return null;
  return { xid: match[1]!, seq: Number(match[2]) };
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
          'arrives within about a second of its commit as `event: change`, `id: <transaction>-<seq>`, ' +
          '`data: {"type":"order.placed","seq":123}`; a comment line `: keep-alive` comes every 15 s. ' +
          'Events come in commit order, which can differ from seq order. A client reconnecting with ' +
          '`Last-Event-ID` first gets the events after that id, each once, also one that committed late ' +
          `with a lower seq (at most ${RESUME_MAX}). Browsers: \`new EventSource('/v1/live')\` with the session cookie.`,
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
      const after = positionOf(request.headers['last-event-id']);
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
      const stream = new EventStream(raw, after);
      let unsubscribe: (() => void) | null = null;
      let closed = false;
      raw.on('close', () => {
        closed = true;
        unsubscribe?.();
      });
      try {
        unsubscribe = await feed.subscribe(store.id, stream);
        if (closed) return unsubscribe();
        stream.resume(after === null ? [] : await feed.eventsAfter(store.id, after));
      } catch (error) {
        request.log.error({ err: error }, 'live: the stream could not start');
        unsubscribe?.();
        stream.close();
      }
    },
  );
};
