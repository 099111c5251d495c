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
import { AREAS } from './shell/areas';
import { Coming } from './shell/Coming';
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
/** Areas of issue 12 not built yet: each says what it will hold, never a blank page. */
function comingPage(path: string) {
  const area = AREAS.find((a) => a.path === path);
  if (!area?.coming) throw new Error(`No coming area at ${path}`);
  return () => <Coming area={area} />;
}
const variantsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'variants',
  component: comingPage('/variants'),
});
const purchaseOrdersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'purchase-orders',
  component: comingPage('/purchase-orders'),
});
const whatIfRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'what-if',
  component: comingPage('/what-if'),
});
const messagesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'messages',
  component: comingPage('/messages'),
});
const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: 'settings',
  component: comingPage('/settings'),
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
