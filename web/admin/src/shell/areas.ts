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
  /** Not built yet: the page says what it will hold and where to do it today. */
  coming?: { summary: string; meanwhile: string };
}

export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview' },
  { path: '/backorders', label: 'Backorders' },
  { path: '/orders', label: 'Orders and customers' },
  {
    path: '/variants',
    label: 'Variants and stock',
    coming: {
      summary:
        'Stock levels with each variant’s mode, limit, on hand, allocated and waiting; policy edits, bulk edits, write-offs and counts, CSV import and export.',
      meanwhile: 'Until then: GET /v1/inventory and PUT /v1/variants/{sku} in the API (see /docs).',
    },
  },
  {
    path: '/purchase-orders',
    label: 'Suppliers and purchase orders',
    coming: {
      summary:
        'Suppliers and purchase orders: create, order, move the date with a reason, cancel; receive (partially) and print the cross-dock pick list.',
      meanwhile: 'Until then: /v1/suppliers, /v1/purchase-orders and /v1/receipts in the API (see /docs).',
    },
  },
  {
    path: '/what-if',
    label: 'What-if restock',
    coming: {
      summary: 'Pick a SKU, a quantity and a date: see who would be filled and whose dates would move.',
      meanwhile: 'Until then: POST /v1/simulations/restock in the API (see /docs).',
    },
  },
  {
    path: '/messages',
    label: 'Messages',
    coming: {
      summary:
        'Every email, SMS and webhook with its state and attempts, rendered as the shopper saw it; templates with a live preview; channels with a test send.',
      meanwhile: 'Until then: /v1/messages and /v1/message-templates in the API (see /docs).',
    },
  },
  {
    path: '/settings',
    label: 'Settings',
    coming: {
      summary: 'The store, dates, payments, messaging, staff and roles, and the audit log.',
      meanwhile: 'Until then: /v1/settings in the API (see /docs).',
    },
  },
  // Issue 15: the store's platform connections (owner only).
  { path: '/connections', label: 'Connections' },
];
