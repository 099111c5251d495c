/**
 * What the signed-in role may do on an order (the server's grants, staff.roles.ts): the page
 * offers only these; the server refuses the rest anyway.
 */
import type { Role } from '../api/session';

const ALLOWED: Record<'ship' | 'resend' | 'cancel' | 'recordPayment', readonly Role[]> = {
  ship: ['owner', 'ops'],
  resend: ['owner', 'support'],
  cancel: ['owner', 'ops', 'support'],
  recordPayment: ['owner', 'ops', 'support'],
};

export const may = (role: Role | undefined, action: keyof typeof ALLOWED): boolean =>
  role !== undefined && ALLOWED[action].includes(role);
