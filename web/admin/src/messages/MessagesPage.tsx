/**
 * Messages: the log of every email, SMS and webhook (each shown as its receiver saw it, with its
 * attempts, and sent again on request), the templates with a live preview, webhook endpoints and
 * the channels with a test send. Support works with the log and reads the templates; the rest is
 * the owner's (the server refuses it to other roles too).
 */
import { Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { sessionQuery } from '../api/session';
import type { MessagesSearch } from '../router';
import { PageTitle } from '../shared/PageTitle';
import { Channels } from './Channels';
import { MessageLog } from './MessageLog';
import { Templates } from './Templates';
import { Webhooks } from './Webhooks';

type Tab = NonNullable<MessagesSearch['tab']>;

const TABS: { value: Tab; label: string; ownerOnly: boolean }[] = [
  { value: 'log', label: 'Message log', ownerOnly: false },
  { value: 'templates', label: 'Templates', ownerOnly: false },
  { value: 'webhooks', label: 'Webhooks', ownerOnly: true },
  { value: 'channels', label: 'Channels', ownerOnly: true },
];

export function MessagesPage() {
  const search = useSearch({ from: '/app/messages' });
  const navigate = useNavigate({ from: '/messages' });
  const role = useQuery(sessionQuery).data?.staff.role ?? 'support';
  const tabs = TABS.filter((t) => !t.ownerOnly || role === 'owner');
  const tab = tabs.some((t) => t.value === search.tab) ? search.tab! : 'log';

  return (
    <>
      <PageTitle description="Every email, text message and webhook Backfill sent or held back, as the receiver saw it.">
        Messages
      </PageTitle>
      <Tabs
        value={tab}
        onChange={(value) => void navigate({ search: value && value !== 'log' ? { tab: value as Tab } : {} })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="log">
          <MessageLog role={role} />
        </Tabs.Panel>
        <Tabs.Panel value="templates">
          <Templates canEdit={role === 'owner'} />
        </Tabs.Panel>
        {role === 'owner' && (
          <>
            <Tabs.Panel value="webhooks">
              <Webhooks />
            </Tabs.Panel>
            <Tabs.Panel value="channels">
              <Channels />
            </Tabs.Panel>
          </>
        )}
      </Tabs>
    </>
  );
}
