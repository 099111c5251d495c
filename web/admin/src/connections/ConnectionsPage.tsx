/**
 * Connections (issue 15): the store's platform connections — each one's state, last sync, import
 * progress, drift found and failed inbound events with a retry — and a form to connect a store.
 * Owner only (the server refuses other roles).
 */
import { Alert, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { type Connection, connectionsQuery } from './api';
import { ConnectForm } from './ConnectForm';
import { ConnectionCard } from './ConnectionCard';

export function ConnectionsPage() {
  const connections = useQuery(connectionsQuery);
  const [connected, setConnected] = useState<Connection | null>(null);
  const list = connections.data?.data ?? [];
  return (
    <>
      <PageTitle description="Your shop’s platform keeps its orders, stock and dates in step with Backfill: orders come in through signed webhooks, availability goes out as it changes.">
        Connections
      </PageTitle>
      {connected && (
        <Alert
          color="green"
          variant="light"
          mb="md"
          role="status"
          withCloseButton
          onClose={() => setConnected(null)}
        >
          Connected {connected.shop}. Next: subscribe the webhooks to its address, then start the import.
        </Alert>
      )}
      <Stack gap="lg">
        {connections.isPending ? (
          <Loading label="Loading connections…" />
        ) : connections.isError ? (
          <ErrorNotice error={connections.error} onRetry={() => void connections.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title="No store connected">
            Connect your Shopify store below: its orders then arrive by themselves, and Shopify learns each
            SKU’s availability and expected date from Backfill.
          </EmptyState>
        ) : (
          list.map((connection) => <ConnectionCard key={connection.id} connection={connection} />)
        )}
        <ConnectForm onConnected={setConnected} />
      </Stack>
    </>
  );
}
