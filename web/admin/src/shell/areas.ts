import type { Role } from '../api/session';

/** The console's eight page areas (issue 12), in navigation order. */
export interface Area {
  path:
    | '/'
    | '/backorders'
    | '/orders'
    | '/variants'
    | '/purchase-orders'
    | '/what-if'
    | '/messages'
    | '/settings';
  label: string;
  /**
   * Who may open it (the owner opens everything). The server refuses the rest on its own
   * (src/modules/staff/staff.roles.ts); this keeps the navigation to what works.
   */
  roles: readonly Role[];
  /** Not built yet: the page says what it will hold and where to do it today. */
  coming?: { summary: string; meanwhile: string };
}

export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview', roles: ['owner', 'ops', 'support'] },
  { path: '/backorders', label: 'Backorders', roles: ['owner', 'ops', 'support'] },
  { path: '/orders', label: 'Orders and customers', roles: ['owner', 'ops', 'support'] },
  {
    path: '/variants',
    label: 'Variants and stock',
    roles: ['owner', 'ops'],
    coming: {
      summary:
        'Stock levels with each variant’s mode, limit, on hand, allocated and waiting; policy edits, bulk edits, write-offs and counts, CSV import and export.',
      meanwhile: 'Until then: GET /v1/inventory and PUT /v1/variants/{sku} in the API (see /docs).',
    },
  },
  {
    path: '/purchase-orders',
    label: 'Suppliers and purchase orders',
    roles: ['owner', 'ops'],
    coming: {
      summary:
        'Suppliers and purchase orders: create, order, move the date with a reason, cancel; receive (partially) and print the cross-dock pick list.',
      meanwhile: 'Until then: /v1/suppliers, /v1/purchase-orders and /v1/receipts in the API (see /docs).',
    },
  },
  {
    path: '/what-if',
    label: 'What-if restock',
    roles: ['owner', 'ops'],
    coming: {
      summary: 'Pick a SKU, a quantity and a date: see who would be filled and whose dates would move.',
      meanwhile: 'Until then: POST /v1/simulations/restock in the API (see /docs).',
    },
  },
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
];

export const canOpen = (area: Area, role: Role): boolean => role === 'owner' || area.roles.includes(role);

/** The area a console path belongs to (`/orders/ord_1` → Orders), or undefined (not a page). */
export function areaOf(pathname: string): Area | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  return AREAS.find((a) =>
    a.path === '/' ? path === '/' : path === a.path || path.startsWith(`${a.path}/`),
  );
}
