/**
 * What a message template sees. Every kind gets `store`, `customer`, `links`; the rest depends on
 * the kind (see `CONTEXT_FIELDS` in templates). Money is preformatted text ("$12.50") so templates
 * need no filters to show it; dates are ISO dates (YYYY-MM-DD) in the store's time zone.
 */
export interface LineContext {
  id: string;
  sku: string;
  title: string;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  /** Promised ship date of the waiting units, or null. */
  eta: string | null;
  /** Units ahead of this line in its SKU's queue (null when nothing waits). */
  unitsAhead: number | null;
  /** waiting | ready | shipped | cancelled | partly shipped … in words a shopper reads. */
  status: string;
}

export interface MessageContext {
  store: { name: string; currency: string; timezone: string };
  customer: { name: string; email: string; phone: string };
  order?: {
    id: string;
    externalId: string;
    createdAt: string;
    status: string;
    lines: LineContext[];
    /** The lines with units waiting for stock. */
    backorderedLines: LineContext[];
    hasBackorders: boolean;
    /** The latest promise date among waiting lines, or null. */
    latestEta: string | null;
  };
  /** The line a delay notice or an eta change is about. */
  line?: LineContext;
  delay?: { previousEta: string | null; eta: string | null; daysLater: number };
  shipment?: {
    id: string;
    carrier: string;
    trackingNumber: string;
    lines: { sku: string; title: string; quantity: number }[];
  };
  payment?: { amount: string; reason: string; payBy: string; message: string };
  refund?: { amount: string; reason: string };
  cancellation?: { reason: string };
  incentive?: { kind: string; code: string; percent: number | null; description: string };
  alert?: { sku: string; title: string };
  digest?: {
    date: string;
    newBackorders: number;
    newBackorderUnits: number;
    limitsReached: { sku: string; limit: number }[];
    latePurchaseOrders: { id: string; supplier: string; expectedDate: string }[];
    failedMessages: { id: string; kind: string; channel: string; recipient: string; error: string }[];
  };
  links: {
    status: string;
    cancel: string;
    keep: string;
    switch: string;
    preferences: string;
    /** Empty for transactional messages, which cannot be unsubscribed from. */
    unsubscribe: string;
  };
}
