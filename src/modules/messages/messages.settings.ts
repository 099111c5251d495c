import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { newLinkSecret } from '../selfservice/selfservice.links.ts';
import { messagingSettings } from './messages.tables.ts';

export type MessagingSettingsRow = typeof messagingSettings.$inferSelect;

/** The store's messaging settings, created with defaults (and a fresh link secret) on first use. */
export async function loadMessagingSettings(
  executor: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
): Promise<MessagingSettingsRow> {
  const [existing] = await executor
    .select()
    .from(messagingSettings)
    .where(eq(messagingSettings.storeId, storeId));
  if (existing) return existing;
  await executor
    .insert(messagingSettings)
    .values({ storeId, linkSecret: newLinkSecret(), updatedAt: deps.clock.now() })
    .onConflictDoNothing();
  const [created] = await executor
    .select()
    .from(messagingSettings)
    .where(sql`${messagingSettings.storeId} = ${storeId}`);
  return created!;
}
