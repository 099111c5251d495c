/** Environment → typed configuration, validated once at start-up. */
import { isIP } from 'node:net';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  operatorToken: string | null;
  /** Requests per minute per client address for unauthenticated and publishable-key traffic. */
  publicRateLimit: number;
  /** Requests per minute per secret key; null = not throttled (the default). */
  secretRateLimit: number | null;
  logLevel: string;
  /** Stripe's secret key; null = the stripe provider is not available. */
  stripeSecretKey: string | null;
  /** Where Stripe's API is reached (a proxy, or a stand-in in tests); null = api.stripe.com. */
  stripeApiUrl: string | null;
  /** How often the payment collector runs in `serve` (0 = never: run `backfill payments collect`). */
  paymentsIntervalMs: number;
  /** How often the message relay moves outbox events into messages and enqueues deliveries (0 = never). */
  messagesIntervalMs: number;
  /** `serve` also runs the background work (messages, payments, daily jobs); off = run `backfill worker`. */
  inProcessWorker: boolean;
  /** Origin shoppers reach this server at, for self-service links (a store may set its own). */
  publicUrl: string;
  /** Webhooks and the SMS API may reach loopback and private addresses (BACKFILL_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: boolean;
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (BACKFILL_TRUST_PROXY): a
   * number of hops, or addresses and CIDR ranges; null = none (the socket's address is the client).
   */
  trustProxy: number | string[] | null;
  /** Rate-limit counters live in this Redis (REDIS_URL); else in PostgreSQL, or in memory on PGlite. */
  redisUrl: string | null;
  /** Prefix of this deployment's rate-limit counters, for deployments sharing a Redis or database. */
  rateLimitNamespace: string;
  /** How long a process reuses a storefront answer (and a store's allowed origins); 0 = never. */
  storefrontCacheMs: number;
  /** How long a graceful shutdown (SIGTERM) may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** Apply migrations when a process starts (off: `backfill migrate` is a release step). */
  migrateOnStart: boolean;
  /**
   * The key that seals platform credentials at rest (AES-256-GCM; BACKFILL_SECRETS_KEY, 32 bytes in
   * base64); null = connections cannot be made.
   */
  secretsKey: Buffer | null;
  /** How often the worker processes platform webhooks and pushes availability to platforms (0 = never). */
  connectorsIntervalMs: number;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || 'pglite://./data';
  if (!/^(postgres|postgresql|pglite):\/\//.test(databaseUrl)) {
    throw new ConfigError(
      `DATABASE_URL must start with postgres://, postgresql:// or pglite://, got "${databaseUrl}"`,
    );
  }
  const operatorToken = env.BACKFILL_OPERATOR_TOKEN?.trim() || null;
  if (operatorToken !== null && operatorToken.length < 16) {
    throw new ConfigError('BACKFILL_OPERATOR_TOKEN must be at least 16 characters long');
  }
  const secretLimit = integer(env, 'BACKFILL_SECRET_RATE_LIMIT', 0, 0, 10_000_000);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    operatorToken,
    publicRateLimit: integer(env, 'BACKFILL_PUBLIC_RATE_LIMIT', 600, 1, 10_000_000),
    secretRateLimit: secretLimit === 0 ? null : secretLimit,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    stripeSecretKey: env.STRIPE_SECRET_KEY?.trim() || null,
    stripeApiUrl: stripeApiUrl(env.STRIPE_API_URL),
    paymentsIntervalMs: integer(env, 'BACKFILL_PAYMENTS_INTERVAL_MS', 5000, 0, 86_400_000),
    messagesIntervalMs: integer(env, 'BACKFILL_MESSAGES_INTERVAL_MS', 1000, 0, 86_400_000),
    inProcessWorker: flag(env, 'BACKFILL_IN_PROCESS_WORKER', true),
    shutdownTimeoutMs: integer(env, 'BACKFILL_SHUTDOWN_TIMEOUT_MS', 25_000, 0, 3_600_000),
    migrateOnStart: flag(env, 'BACKFILL_MIGRATE_ON_START', true),
    publicUrl:
      publicUrl(env.BACKFILL_PUBLIC_URL) ??
      `http://${env.HOST?.trim() || '127.0.0.1'}:${env.PORT?.trim() || '3000'}`,
    allowPrivateUrls: flag(env, 'BACKFILL_ALLOW_PRIVATE_URLS', false),
    trustProxy: trustProxy(env.BACKFILL_TRUST_PROXY),
    redisUrl: redisUrl(env.REDIS_URL),
    rateLimitNamespace: rateLimitNamespace(env.BACKFILL_RATE_LIMIT_NAMESPACE),
    storefrontCacheMs: integer(env, 'BACKFILL_STOREFRONT_CACHE_MS', 1000, 0, 60_000),
    secretsKey: secretsKey(env.BACKFILL_SECRETS_KEY),
    connectorsIntervalMs: integer(env, 'BACKFILL_CONNECTORS_INTERVAL_MS', 1000, 0, 86_400_000),
  };
}

function secretsKey(raw: string | undefined): Buffer | null {
  const value = raw?.trim();
  if (!value) return null;
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new ConfigError(
      'BACKFILL_SECRETS_KEY must be 32 random bytes in base64 (e.g. the output of `openssl rand -base64 32`)',
    );
  }
  return key;
}

/** `1` (hops: the last N X-Forwarded-For entries are proxies) or `10.0.0.0/8, 192.168.1.7` (trusted proxies). */
function trustProxy(raw: string | undefined): number | string[] | null {
  const value = raw?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 20)
      throw new ConfigError(`BACKFILL_TRUST_PROXY hops must be 1–20, got "${value}"`);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family && prefix !== undefined && /^0+$/.test(prefix)) {
      throw new ConfigError(
        `BACKFILL_TRUST_PROXY "${entry}" would trust every address, so any client could name its own address in X-Forwarded-For: list the proxies' addresses or ranges, or give the number of proxies in front (hops)`,
      );
    }
    const prefixOk =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!family || !prefixOk || extra !== undefined) {
      throw new ConfigError(
        `BACKFILL_TRUST_PROXY must be a number of hops or a comma-separated list of addresses and CIDR ranges (10.0.0.0/8), got "${entry}"`,
      );
    }
  }
  return entries;
}

function rateLimitNamespace(raw: string | undefined): string {
  const value = raw?.trim() || 'backfill';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) {
    throw new ConfigError(
      `BACKFILL_RATE_LIMIT_NAMESPACE must be 1–64 letters, digits, _ . -, got "${value}"`,
    );
  }
  return value;
}

function redisUrl(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  if (!/^rediss?:\/\/[^\s]+$/.test(value)) {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got "${value}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function publicUrl(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(value)) {
    throw new ConfigError(
      `BACKFILL_PUBLIC_URL must be an http(s) URL such as https://orders.example.com, got "${value}"`,
    );
  }
  return value.replace(/\/+$/, '');
}

function stripeApiUrl(raw: string | undefined): string | null {
  const value = raw?.trim();
  if (!value) return null;
  if (!/^https?:\/\/[^/]+\/?$/.test(value)) {
    throw new ConfigError(
      `STRIPE_API_URL must be an http(s) origin such as http://127.0.0.1:12111, got "${value}"`,
    );
  }
  return value;
}
