import type { Role } from '../api/session';

/** The console's page areas (issue 12's eight, then issue 15's connections), in navigation order. */
export interface Area {
  path:
    | '/'
    | '/backorders'
    | '/orders'
    | '/variants'
    | '/purchase-orders'
    | '/what-if'
    | '/messages'
    | '/settings'
    | '/connections';
  label: string;
  /**
   * Who may open it (the owner opens everything). The server refuses the rest on its own
   * (src/modules/staff/staff.roles.ts); this keeps the navigation to what works.
   */
  roles: readonly Role[];
}

export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview', roles: ['owner', 'ops', 'support'] },
  { path: '/backorders', label: 'Backorders', roles: ['owner', 'ops', 'support'] },
  { path: '/orders', label: 'Orders and customers', roles: ['owner', 'ops', 'support'] },
  { path: '/variants', label: 'Variants and stock', roles: ['owner', 'ops'] },
  { path: '/purchase-orders', label: 'Suppliers and purchase orders', roles: ['owner', 'ops'] },
  { path: '/what-if', label: 'What-if restock', roles: ['owner', 'ops'] },
  {
    path: '/messages',
    label: 'Messages',
    roles: ['owner', 'support'],
  },
  {
    path: '/settings',
    label: 'Settings',
    roles: ['owner'],
  },
  // Issue 15: the store's platform connections (owner only).
  { path: '/connections', label: 'Connections', roles: ['owner'] },
];

export const canOpen = (area: Area, role: Role): boolean => role === 'owner' || area.roles.includes(role);

/** The area a console path belongs to (`/orders/ord_1` → Orders), or undefined (not a page). */
export function areaOf(pathname: string): Area | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  return AREAS.find((a) =>
    a.path === '/' ? path === '/' : path === a.path || path.startsWith(`${a.path}/`),
  );
}
