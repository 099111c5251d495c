import type { Deps } from '../../shared/context.ts';
import type { OutboundPolicy } from '../../shared/outbound.ts';
import { createBigCommerceConnector } from './connectors.bigcommerce.ts';
import type { PlatformConnector } from './connectors.platform.ts';
import { createShopifyConnector } from './connectors.shopify.ts';
import type { Platform } from './connectors.tables.ts';
import { createWooConnector } from './connectors.woocommerce.ts';

export type ConnectorRegistry = Readonly<Record<Platform, PlatformConnector>>;

/** What the connectors' use cases need beyond the app's dependencies. */
export interface ConnectorDeps extends Deps {
  /** BACKFILL_SECRETS_KEY: seals and opens credentials (null: none can be stored). */
  secretsKey: Buffer | null;
  connectors: ConnectorRegistry;
  /** BACKFILL_ALLOW_PRIVATE_URLS: a connection's API may be on a private network (a stand-in, a proxy). */
  allowPrivateUrls: boolean;
}

/** The connectors, reaching the platforms' APIs at the addresses `outbound` allows. */
export const defaultConnectors = (outbound: OutboundPolicy): ConnectorRegistry => ({
  shopify: createShopifyConnector({ outbound }),
  bigcommerce: createBigCommerceConnector({ outbound }),
  woocommerce: createWooConnector({ outbound }),
});

export function connectorDeps(
  deps: Deps,
  config: { secretsKey: Buffer | null; allowPrivateUrls: boolean },
  connectors: ConnectorRegistry = defaultConnectors({ allowPrivate: config.allowPrivateUrls }),
): ConnectorDeps {
  return { ...deps, secretsKey: config.secretsKey, allowPrivateUrls: config.allowPrivateUrls, connectors };
}
