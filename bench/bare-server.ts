/**
 * The storefront bench's baseline: a bare Fastify server with one route answering a fixed JSON
 * body (a real availability answer, from BARE_BODY) — no hooks, no plugins, no database — run
 * as its own process like Backfill's server, on PORT.
 */
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/bare', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
