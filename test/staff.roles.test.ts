/**
 * Role × endpoint: every operation of the served OpenAPI document that a secret key may call is
 * called by an owner, an ops and a support session, and each gets `403 forbidden_role` exactly when
 * the operation's documented `x-roles` leave its role out. The contract's rules (issue 12) are then
 * checked on the behaviour itself, independently of the grants table: settings, keys, staff and the
 * audit log are the owner's; support changes no stock; ops and support reach what their pages need.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/harness.ts';
import { as, invite, type Session, storeWithOwner } from './support/staff.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Role = 'owner' | 'ops' | 'support';
interface Operation {
  id: string;
  method: Method;
  path: string;
  tags: string[];
  roles: Role[] | undefined;
  security: unknown;
  /** An event stream never ends: it is called only to see whether it is refused. */
  streams: boolean;
}

const run = randomUUID().slice(0, 8);
let t: TestApp;
let operations: Operation[];
const sessions = {} as Record<Role, Session>;
/** operationId → role → refused with forbidden_role. */
const refused = new Map<string, Record<Role, boolean>>();

beforeAll(async () => {
  t = await startTestApp();
  const doc = (await t.request('GET', '/openapi.json')).json();
  operations = Object.entries<Record<string, Record<string, unknown>>>(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({
        id: op.operationId as string,
        method: method.toUpperCase() as Method,
        path,
        tags: (op.tags as string[]) ?? [],
        roles: op['x-roles'] as Role[] | undefined,
        security: op.security,
        streams: JSON.stringify(op.responses ?? {}).includes('text/event-stream'),
      })),
  );
  const shop = await storeWithOwner(t, `matrix-owner.${run}@shop.example`);
  sessions.owner = shop.owner;
  sessions.ops = await invite(t, shop.owner, `matrix-ops.${run}@shop.example`, 'ops');
  sessions.support = await invite(t, shop.owner, `matrix-support.${run}@shop.example`, 'support');
  // Path parameters that match no pattern: an admitted call stops at validation, changing nothing.
  for (const op of operations.filter((o) => o.roles !== undefined)) {
    const url = op.path.replace(/\{[^}]+\}/g, '~none~');
    const row = {} as Record<Role, boolean>;
    for (const role of ['owner', 'ops', 'support'] as const) {
      if (op.streams && op.roles!.includes(role)) {
        row[role] = false; // an admitted event stream would never end: only its refusals are called
        continue;
      }
      const res = await as(t, sessions[role], op.method, url, op.method === 'GET' ? undefined : {});
      row[role] = res.statusCode === 403 && res.json().code === 'forbidden_role';
      if (!row[role])
        expect([401, 403].includes(res.statusCode), `${role} ${op.id}: ${res.body}`).toBe(false);
    }
    refused.set(op.id, row);
  }
}, 120_000);
afterAll(() => t.close());

const isRefused = (id: string, role: Role): boolean => {
  const row = refused.get(id);
  if (!row) throw new Error(`${id} is not an operation staff may call`);
  return row[role];
};
const idsWhere = (test: (op: Operation) => boolean) => operations.filter(test).map((op) => op.id);

describe('role × endpoint', () => {
  it('documents the roles of every operation a secret key may call, and only those', () => {
    for (const op of operations) {
      const keyed = op.security === undefined; // the document's default: a secret key or a session
      expect(op.roles !== undefined, `${op.method} ${op.path}`).toBe(keyed);
    }
    expect(refused.size).toBeGreaterThan(60);
  });

  it('refuses each role exactly where the document says', () => {
    const mismatches: string[] = [];
    for (const op of operations.filter((o) => o.roles !== undefined)) {
      for (const role of ['owner', 'ops', 'support'] as const) {
        const documented = !op.roles!.includes(role);
        if (isRefused(op.id, role) !== documented)
          mismatches.push(`${role} ${op.id}: refused ${isRefused(op.id, role)}, documented ${documented}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('lets the owner do everything', () => {
    expect([...refused].filter(([, row]) => row.owner).map(([id]) => id)).toEqual([]);
  });

  it('keeps settings, keys, staff, the audit log and webhooks to the owner', () => {
    const ownerOnly = [
      ...idsWhere((op) =>
        ['Keys', 'Settings', 'Staff', 'Audit log', 'Webhooks'].some((tag) => op.tags.includes(tag)),
      ),
      ...idsWhere((op) => op.path.startsWith('/v1/settings/') && op.method !== 'GET'),
      'getMessagingSettings',
      'putMessageTemplate',
      'deleteMessageTemplate',
      'sendTestMessage',
      'resendStaffInvite',
    ];
    expect(ownerOnly.length).toBeGreaterThan(15);
    for (const id of ownerOnly) {
      expect(isRefused(id, 'ops'), `ops ${id}`).toBe(true);
      expect(isRefused(id, 'support'), `support ${id}`).toBe(true);
    }
  });

  it('gives support no stock changes, and ops every stock, supply and order operation', () => {
    const stock = idsWhere(
      (op) =>
        op.method !== 'GET' &&
        (op.tags.includes('Variants') || op.tags.includes('Inventory') || op.tags.includes('Supply')),
    );
    expect(stock.length).toBeGreaterThan(10);
    for (const id of [...stock, 'createShipment'])
      expect(isRefused(id, 'support'), `support ${id}`).toBe(true);
    const ops = idsWhere((op) =>
      ['Variants', 'Inventory', 'Supply', 'Orders', 'Shipments', 'Promises'].some((tag) =>
        op.tags.includes(tag),
      ),
    );
    for (const id of ops) expect(isRefused(id, 'ops'), `ops ${id}`).toBe(false);
    // The dock's pick list is warehouse work: ops (and the owner) print it, support does not.
    expect(isRefused('getReceiptPickList', 'ops')).toBe(false);
    expect(isRefused('getReceiptPickList', 'support')).toBe(true);
  });

  it('gives support orders, customers, backorders, messages and templates (read)', () => {
    for (const id of [
      'listOrders',
      'getOrder',
      'getOrderTimeline',
      'cancelOrder',
      'listBackorders',
      'listMessages',
      'getMessage',
      'replayMessage',
      'listMessageTemplates',
      'getMessageTemplate',
      'previewMessageTemplate',
      'listEvents',
    ]) {
      expect(isRefused(id, 'support'), `support ${id}`).toBe(false);
    }
  });

  it('does not limit API keys by role', async () => {
    const shop = await t.createStore();
    for (const url of ['/v1/staff', '/v1/audit-log', '/v1/settings', '/v1/keys']) {
      expect((await t.request('GET', url, { key: shop.secretKey })).statusCode, url).toBe(200);
    }
  });
});
