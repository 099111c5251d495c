import { type RelayOptions, relayBacklog, relayEvents } from '../../src/modules/messages/messages.relay.ts';
import type { Deps } from '../../src/shared/context.ts';

/**
 * Relays until every committed event of the scope's stores is read. On a PostgreSQL shared with
 * other test files, the relay rightly waits for their older transactions still running, so one
 * pass may not reach events this test has just committed.
 */
export async function relayAll(deps: Deps, scope: NonNullable<RelayOptions['scope']>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await relayEvents(deps, { scope });
    if ((await relayBacklog(deps, scope)) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the relay did not catch up within 20 s');
}
