/**
 * The console's routes (TanStack Router, code-based). Pages behind sign-in sit under the `app`
 * layout, which asks GET /v1/session first; each page area is its own lazily loaded chunk.
 */
import { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { ApiError, whenSignedOut } from './api/client';
import { sessionQuery } from './api/session';
import { overviewFigures } from './overview/source';
import { NotFound } from './shell/NotFound';
import { Shell } from './shell/Shell';
import { SignInPage } from './sign-in/SignInPage';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A problem the server answered in words is not retried; a failed connection is, twice.
      retry: (count, error) => !(error instanceof ApiError && error.status > 0) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: NotFound,
});

export interface SignInSearch {
  next?: string;
}

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-in',
  validateSearch: (search: Record<string, unknown>): SignInSearch =>
    typeof search.next === 'string' && search.next.startsWith('/') ? { next: search.next } : {},
  component: SignInPage,
});

const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) {
      throw redirect({ to: '/sign-in', search: location.pathname === '/' ? {} : { next: location.href } });
    }
    return { session };
  },
  component: Shell,
});

const overviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  // The figures are asked for while the page's chunk loads, not once it has rendered.
  loader: ({ context }) => {
    void context.queryClient.prefetchQuery(overviewFigures);
  },
  component: lazyRouteComponent(() => import('./overview/OverviewPage'), 'OverviewPage'),
});

export interface OrdersSearch {
  email?: string;
  name?: string;
  externalId?: string;
}
const searchText = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const ordersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'orders',
  validateSearch: (search: Record<string, unknown>): OrdersSearch => {
    const found: OrdersSearch = {};
    for (const key of ['email', 'name', 'externalId'] as const) {
      const value = searchText(search[key]);
      if (value !== undefined) found[key] = value;
    }
    return found;
  },
  component: lazyRouteComponent(() => import('./orders/OrdersPage'), 'OrdersPage'),
});

const orderRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'orders/$orderId',
  component: lazyRouteComponent(() => import('./orders/OrderPage'), 'OrderPage'),
});

export interface BackordersSearch {
  sku?: string;
  q?: string;
  risk?: 'late';
}

const backordersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'backorders',
  validateSearch: (search: Record<string, unknown>): BackordersSearch => ({
    ...(typeof search.sku === 'string' && search.sku !== '' ? { sku: search.sku } : {}),
    ...(typeof search.q === 'string' && search.q !== '' ? { q: search.q } : {}),
    ...(search.risk === 'late' ? { risk: 'late' as const } : {}),
  }),
  component: lazyRouteComponent(() => import('./backorders/BackordersPage'), 'BackordersPage'),
});

const connectionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'connections',
  component: lazyRouteComponent(() => import('./connections/ConnectionsPage'), 'ConnectionsPage'),
});

export interface VariantsSearch {
  q?: string;
  mode?: 'deny' | 'backorder' | 'preorder';
  waiting?: boolean;
  low?: number;
}

const variantsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'variants',
  validateSearch: (search: Record<string, unknown>): VariantsSearch => ({
    ...(typeof search.q === 'string' && search.q.trim() !== '' ? { q: search.q.trim() } : {}),
    ...(search.mode === 'deny' || search.mode === 'backorder' || search.mode === 'preorder'
      ? { mode: search.mode }
      : {}),
    ...(typeof search.waiting === 'boolean' ? { waiting: search.waiting } : {}),
    ...(typeof search.low === 'number' && Number.isInteger(search.low) && search.low >= 0
      ? { low: search.low }
      : {}),
  }),
  component: lazyRouteComponent(() => import('./variants/VariantsPage'), 'VariantsPage'),
});

export interface PurchaseOrdersSearch {
  tab?: 'suppliers';
  status?: 'draft' | 'ordered' | 'partially_received' | 'received' | 'cancelled';
}

const purchaseOrdersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'purchase-orders',
  validateSearch: (search: Record<string, unknown>): PurchaseOrdersSearch => ({
    ...(search.tab === 'suppliers' ? { tab: 'suppliers' as const } : {}),
    ...(typeof search.status === 'string' &&
    ['draft', 'ordered', 'partially_received', 'received', 'cancelled'].includes(search.status)
      ? { status: search.status as PurchaseOrdersSearch['status'] }
      : {}),
  }),
  component: lazyRouteComponent(() => import('./purchase-orders/PurchaseOrdersPage'), 'PurchaseOrdersPage'),
});
const purchaseOrderRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'purchase-orders/$purchaseOrderId',
  component: lazyRouteComponent(() => import('./purchase-orders/PurchaseOrderPage'), 'PurchaseOrderPage'),
});
const pickListRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'purchase-orders/receipts/$receiptId',
  component: lazyRouteComponent(() => import('./purchase-orders/PickListPage'), 'PickListPage'),
});

export interface WhatIfSearch {
  sku?: string;
}

const whatIfRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'what-if',
  validateSearch: (search: Record<string, unknown>): WhatIfSearch =>
    typeof search.sku === 'string' && search.sku !== '' ? { sku: search.sku } : {},
  component: lazyRouteComponent(() => import('./what-if/WhatIfPage'), 'WhatIfPage'),
});

export const MESSAGES_TABS = ['log', 'templates', 'webhooks', 'channels'] as const;
export interface MessagesSearch {
  tab?: (typeof MESSAGES_TABS)[number];
  /** The message shown as the shopper saw it. */
  message?: string;
  channel?: 'email' | 'sms' | 'webhook';
  state?: 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed';
  recipient?: string;
}

const oneOf = <T extends string>(value: unknown, allowed: readonly T[]): T | undefined =>
  allowed.includes(value as T) ? (value as T) : undefined;

const messagesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'messages',
  validateSearch: (search: Record<string, unknown>): MessagesSearch => {
    const tab = oneOf(search.tab, MESSAGES_TABS);
    const channel = oneOf(search.channel, ['email', 'sms', 'webhook'] as const);
    const state = oneOf(search.state, ['queued', 'sending', 'sent', 'failed', 'suppressed'] as const);
    return {
      ...(tab ? { tab } : {}),
      ...(typeof search.message === 'string' && search.message !== '' ? { message: search.message } : {}),
      ...(channel ? { channel } : {}),
      ...(state ? { state } : {}),
      ...(typeof search.recipient === 'string' && search.recipient !== ''
        ? { recipient: search.recipient }
        : {}),
    };
  },
  component: lazyRouteComponent(() => import('./messages/MessagesPage'), 'MessagesPage'),
});

export const SETTINGS_TABS = ['store', 'dates', 'payments', 'links', 'staff', 'audit', 'keys'] as const;
export interface SettingsSearch {
  tab?: (typeof SETTINGS_TABS)[number];
}

const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'settings',
  validateSearch: (search: Record<string, unknown>): SettingsSearch => {
    const tab = oneOf(search.tab, SETTINGS_TABS);
    return tab ? { tab } : {};
  },
  component: lazyRouteComponent(() => import('./settings/SettingsPage'), 'SettingsPage'),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    overviewRoute,
    ordersRoute,
    orderRoute,
    backordersRoute,
    variantsRoute,
    purchaseOrdersRoute,
    purchaseOrderRoute,
    pickListRoute,
    whatIfRoute,
    messagesRoute,
    settingsRoute,
    connectionsRoute,
  ]),
]);

export const router = createRouter({
  routeTree,
  basepath: '/admin',
  context: { queryClient },
  defaultPreload: 'intent',
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

// A session that ends while the console is open (expired, signed out elsewhere): back to sign-in.
whenSignedOut(() => {
  queryClient.setQueryData(sessionQuery.queryKey, null);
  const here = router.state.location;
  if (here.pathname !== '/sign-in') void router.navigate({ to: '/sign-in', search: { next: here.href } });
});
