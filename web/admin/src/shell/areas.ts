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
  /** Not built yet: the page says what it will hold and where to do it today. */
  coming?: { summary: string; meanwhile: string };
}

export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview' },
  { path: '/backorders', label: 'Backorders' },
  { path: '/orders', label: 'Orders and customers' },
  { path: '/variants', label: 'Variants and stock' },
  { path: '/purchase-orders', label: 'Suppliers and purchase orders' },
  { path: '/what-if', label: 'What-if restock' },
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
];
