/**
 * "Send a test" from the channel settings: one short message to an address the merchant types,
 * through the store's email or SMS channel as it is set up now (or the built-in outbox). It is
 * queued like any message and sent by the worker, so it tries the real path (attempts, errors in
 * the log); the console follows it with GET /v1/messages/{id}.
 */
import type { Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { DomainError, invalid } from '../../shared/errors.ts';
import { channelsSetUp, normalisePhone } from './messages.models.ts';
import { insertMessages, messageDefaults } from './messages.relay.ts';
import { loadMessagingSettings } from './messages.settings.ts';
import { getMessage } from './messages.usecases.ts';

export interface ChannelTest {
  channel: 'email' | 'sms';
  /** An email address (email) or a phone number in international form (sms). */
  to: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9]{6,15}$/;

/** The recipient as the channel writes it, or a 422 that says what is wrong. */
function recipientOf(input: ChannelTest): string {
  const to = input.channel === 'email' ? input.to.trim().toLowerCase() : normalisePhone(input.to);
  if (input.channel === 'email' ? !EMAIL.test(to) : !PHONE.test(to)) {
    const what = input.channel === 'email' ? 'an email address' : 'a phone number such as +15550100';
    throw invalid('validation_failed', `"${input.to}" is not ${what}`, [
      { path: '/to', message: `must be ${what}` },
    ]);
  }
  return to;
}

export async function queueChannelTest(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: { id: string; name: string },
  input: ChannelTest,
) {
  const recipient = recipientOf(input);
  const settings = await loadMessagingSettings(tx, deps, store.id);
  if (!channelsSetUp(settings)[input.channel]) {
    throw new DomainError(
      'conflict',
      'channel_not_set_up',
      `The store has no ${input.channel === 'email' ? 'email' : 'SMS'} channel: set one up (or the built-in outbox) first`,
    );
  }
  const outbox = input.channel === 'email' ? settings.emailOutbox : settings.smsOutbox;
  const via = outbox
    ? 'the built-in outbox (kept in the message log, not sent anywhere)'
    : input.channel === 'email'
      ? 'its SMTP server'
      : 'its SMS account';
  const draft = { ...messageDefaults(deps, deps.clock.now()), storeId: store.id };
  await insertMessages(tx, [
    {
      ...draft,
      dedupeKey: `channel_test:${draft.id}`,
      kind: 'channel_test',
      channel: input.channel,
      recipient,
      transactional: true,
      subject: input.channel === 'email' ? `Test message from ${store.name}` : null,
      body:
        input.channel === 'email'
          ? `This is a test from ${store.name}, sent by Backfill through ${via}.\n\nIf you can read it, the store's email channel works.`
          : `Test from ${store.name} (Backfill): if you can read this, the store's SMS channel works.`,
    },
  ]);
  return getMessage(tx, store.id, draft.id);
}
