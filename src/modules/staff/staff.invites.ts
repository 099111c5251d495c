/**
 * Invitations by email, through the store's own messaging: the message is queued in the inviting
 * transaction and sent by the message worker like any other (retries, attempts in the log).
 * The message log does not show the link itself (messages.usecases.ts withholds `#link=` tokens).
 */
import type { Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { channelsSetUp } from '../messages/messages.models.ts';
import { insertMessages, messageDefaults } from '../messages/messages.relay.ts';
import { loadMessagingSettings } from '../messages/messages.settings.ts';
import type { StaffRole } from './staff.tables.ts';

const ROLE_WORDS: Record<StaffRole, string> = {
  owner: 'an owner (everything, staff and settings included)',
  ops: 'operations (stock, purchase orders, receiving, orders)',
  support: 'customer support (orders, customers, messages)',
};

export interface Invitation {
  inviteId: string;
  email: string;
  name: string;
  role: StaffRole;
  storeName: string;
  link: string;
}

/** Queues the invitation email; false when the store has no email channel (the caller shows the link). */
export async function queueInviteEmail(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  invitation: Invitation,
): Promise<boolean> {
  const settings = await loadMessagingSettings(tx, deps, storeId);
  if (!channelsSetUp(settings).email) return false;
  const now = deps.clock.now();
  const greeting = invitation.name ? `Hello ${invitation.name},` : 'Hello,';
  const body = [
    greeting,
    '',
    `You are invited to the Backfill console of ${invitation.storeName} as ${ROLE_WORDS[invitation.role]}.`,
    'Open this link within 7 days to choose your password and sign in (it works once):',
    '',
    invitation.link,
    '',
    'If you did not expect this invitation, you can ignore this email.',
  ].join('\n');
  const created = await insertMessages(tx, [
    {
      ...messageDefaults(deps, now),
      storeId,
      dedupeKey: `staff_invite:${invitation.inviteId}`,
      kind: 'staff_invite',
      channel: 'email',
      recipient: invitation.email,
      transactional: true,
      subject: `Your invitation to ${invitation.storeName} on Backfill`,
      body,
    },
  ]);
  return created.length > 0;
}
