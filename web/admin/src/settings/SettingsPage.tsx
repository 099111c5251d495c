/**
 * Settings (the owner's): the store, dates, payments, messaging links, staff and roles, the audit
 * log, and API keys. Each tab reads and writes its own part of the API.
 */
import { Tabs } from '@mantine/core';
import { useNavigate, useSearch } from '@tanstack/react-router';
import type { SettingsSearch } from '../router';
import { PageTitle } from '../shared/PageTitle';
import { ApiKeys } from './ApiKeys';
import { AuditLog } from './AuditLog';
import { LinksSettings } from './LinksSettings';
import { Staff } from './Staff';
import { DatesSettings, PaymentsSettings, StoreSettingsForm } from './StoreForms';

type Tab = NonNullable<SettingsSearch['tab']>;

const TABS: { value: Tab; label: string }[] = [
  { value: 'store', label: 'Store' },
  { value: 'dates', label: 'Dates' },
  { value: 'payments', label: 'Payments' },
  { value: 'links', label: 'Messaging links' },
  { value: 'staff', label: 'Staff and roles' },
  { value: 'audit', label: 'Audit log' },
  { value: 'keys', label: 'API keys' },
];

export function SettingsPage() {
  const search = useSearch({ from: '/app/settings' });
  const navigate = useNavigate({ from: '/settings' });
  const tab = search.tab ?? 'store';
  return (
    <>
      <PageTitle description="How the store works, who works in it, what they changed, and the keys of your integrations.">
        Settings
      </PageTitle>
      <Tabs
        value={tab}
        onChange={(value) =>
          void navigate({ search: value && value !== 'store' ? { tab: value as Tab } : {} })
        }
        keepMounted={false}
      >
        <Tabs.List mb="md">
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="store">
          <StoreSettingsForm />
        </Tabs.Panel>
        <Tabs.Panel value="dates">
          <DatesSettings />
        </Tabs.Panel>
        <Tabs.Panel value="payments">
          <PaymentsSettings />
        </Tabs.Panel>
        <Tabs.Panel value="links">
          <LinksSettings />
        </Tabs.Panel>
        <Tabs.Panel value="staff">
          <Staff />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditLog />
        </Tabs.Panel>
        <Tabs.Panel value="keys">
          <ApiKeys />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
