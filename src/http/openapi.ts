/**
 * The served OpenAPI 3.1 document (`/openapi.json`) and its Swagger UI (`/docs`). Routes describe
 * themselves with TypeBox schemas; what a schema cannot say is added here from the route's config:
 * a body that may be left out, a body also taken as CSV or as a JSON Merge Patch.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { rolesAllowed } from '../modules/staff/staff.roles.ts';
import { CSV, MERGE_PATCH } from './media-types.ts';

const TAGS = [
  { name: 'System', description: 'Health of this server' },
  { name: 'Stores', description: 'Stores and their API keys (operator token)' },
  {
    name: 'Keys',
    description: "A store's API keys: full, read-only and storefront; created, listed, revoked",
  },
  { name: 'Variants', description: 'Variants by SKU, each with its backorder policy' },
  {
    name: 'Inventory',
    description: 'Stock levels, adjustments (restocks fill the queue first) and the ledger',
  },
  { name: 'Orders', description: 'Orders, cancellations and the waiting lines of each SKU’s queue' },
  { name: 'Shipments', description: 'Shipping allocated units' },
  { name: 'Storefront', description: 'What a product page shows (publishable key)' },
  { name: 'Events', description: 'Every state change, in order' },
  { name: 'Supply', description: 'Suppliers, purchase orders and receipts (cross-dock)' },
  { name: 'Settings', description: 'Store settings that shape promise dates and payments' },
  { name: 'Promises', description: 'What-if simulations of ship dates' },
  { name: 'Payments', description: 'The money of orders whose payments Backfill manages' },
  { name: 'Messages', description: 'Email, SMS and webhook messages, with every attempt' },
  { name: 'Webhooks', description: 'Webhook endpoints subscribed to events' },
  { name: 'Self-service', description: 'Signed links and the shopper pages they open' },
  { name: 'Message templates', description: 'Templates of the messages, per kind and channel' },
  { name: 'Stock alerts', description: 'Back-in-stock alerts shoppers signed up for' },
  {
    name: 'Overview',
    description: "The store's backorders at a glance, and its changes as they happen (server-sent events)",
  },
  { name: 'Session', description: 'Staff signing in to the console: session cookie, CSRF token, sign-out' },
  { name: 'Staff', description: 'The people who sign in to the console, and their roles' },
  { name: 'Audit log', description: 'What staff members changed in the console' },
];

interface Operation {
  requestBody?: { required?: boolean; content?: Record<string, unknown> };
  'x-roles'?: readonly string[];
}

interface BodyFacts {
  path: string;
  method: string;
  optional: boolean;
  csv: { example?: string; required: readonly string[] } | undefined;
  mergePatch: boolean;
}

export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  const bodies: BodyFacts[] = [];
  /** Staff roles each operation admits (routes open to secret keys), keyed by `method path`. */
  const roles = new Map<string, readonly string[]>();
  app.addHook('onRoute', (route) => {
    const c = route.config;
    if (c?.access === 'secret') {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const allowed = rolesAllowed(route.schema?.operationId, c.roles);
      for (const method of [route.method].flat()) roles.set(`${method.toLowerCase()} ${path}`, allowed);
    }
    if (!c?.optionalBody && !c?.csvBody && !c?.mergePatch) return;
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    for (const method of [route.method].flat()) {
      bodies.push({
        path,
        method: method.toLowerCase(),
        optional: c.optionalBody === true,
        csv: c.csvBody,
        mergePatch: c.mergePatch === true,
      });
    }
  });
  await app.register(swagger, {
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      const paths = (document.openapiObject.paths ?? {}) as Record<string, Record<string, Operation>>;
      for (const [key, allowed] of roles) {
        const [method, path] = key.split(' ') as [string, string];
        const operation = paths[path]?.[method];
        if (operation) operation['x-roles'] = allowed;
      }
      for (const facts of bodies) {
        const body = paths[facts.path]?.[facts.method]?.requestBody;
        if (!body) continue;
        // Routes whose body may be left out entirely (e.g. cancel = cancel everything) say so.
        if (facts.optional) body.required = false;
        const json = body.content?.['application/json'];
        if (facts.mergePatch && json) body.content = { ...body.content, [MERGE_PATCH]: json };
        if (facts.csv) {
          body.content = {
            ...body.content,
            [CSV]: {
              schema: {
                type: 'string',
                description:
                  `CSV (RFC 4180) with a header row naming the fields; required columns: ${facts.csv.required.join(', ')}. ` +
                  'An empty cell leaves the field out.',
              },
              ...(facts.csv.example ? { example: facts.csv.example } : {}),
            },
          };
        }
      }
      return document.openapiObject;
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Backfill API',
        version: '1.0.0',
        summary: 'Backorder management for online stores',
        description:
          'Backorder management: fair per-SKU queues, allocation on arrival, honest ship dates per line, ' +
          'cancellation and shipment. Authenticate with `Authorization: Bearer <key>` (a store secret key ' +
          '`sk_…` for admin endpoints, a read-only key `rk_…` for admin reads, a publishable key `pk_…` for ' +
          'the storefront). The console signs in staff with a session cookie instead (`POST /v1/session`): ' +
          'such calls are limited by the staff member’s role (`x-roles` of each operation: owner, ops, ' +
          'support) and writes need `X-CSRF-Token`. Errors are RFC 9457 ' +
          'problem+json with a stable `code`. Write endpoints accept `Idempotency-Key`. Lists are cursor ' +
          'pages `{ data, nextCursor }`. The integration guide is docs/api.md in the repository.',
      },
      servers: [
        { url: config.publicUrl, description: 'This server, as configured (BACKFILL_PUBLIC_URL)' },
        { url: '/', description: 'The server this document was fetched from' },
      ],
      tags: TAGS,
      components: {
        securitySchemes: {
          secretKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'Store secret key sk_… (a read-only key rk_… for GETs and previews)',
          },
          publishableKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'Store publishable key pk_… (storefront only)',
          },
          operatorToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'BACKFILL_OPERATOR_TOKEN (store creation)',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'backfill_session',
            description:
              'A staff member signed in to the console (POST /v1/session); writes also need X-CSRF-Token',
          },
        },
      },
      security: [{ secretKey: [] }, { sessionCookie: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/upgrade-insecure-requests;?/, ''),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
