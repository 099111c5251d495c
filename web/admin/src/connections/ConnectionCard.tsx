/**
 * One connection: its state, last sync, webhook address, import progress (polled each second
 * while it runs), the fulfilment push switch (updateConnection), the inbox's counters, the drift the last reconciliation found, and the failed
 * inbound events with a retry button each.
 */
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatCount, formatTime } from '../shared/format';
import { ErrorNotice, Loading } from '../shared/states';
import {
  type Connection,
  type ConnectionDetail,
  connectionQuery,
  reconcileNow,
  retryEvent,
  startImport,
  updateConnection,
} from './api';

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

const PLATFORM_NAMES: Record<string, string> = {
  shopify: 'Shopify',
  bigcommerce: 'BigCommerce',
  woocommerce: 'WooCommerce',
};

export function ConnectionCard({ connection }: { connection: Connection }) {
  const queryClient = useQueryClient();
  const detail = useQuery({
    ...connectionQuery(connection.id),
    // While an import runs, its progress is read each second.
    refetchInterval: (query) => (query.state.data?.import.state === 'running' ? 1000 : false),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['connections'] });
  const importing = useMutation({ mutationFn: () => startImport(connection.id), onSuccess: refresh });
  const reconciling = useMutation({ mutationFn: () => reconcileNow(connection.id), onSuccess: refresh });
  const settingPush = useMutation({
    mutationFn: (pushFulfilments: boolean) => updateConnection(connection.id, { pushFulfilments }),
    onSuccess: refresh,
  });
  const c: Connection | ConnectionDetail = detail.data ?? connection;
  const running = c.import.state === 'running';
  const name = PLATFORM_NAMES[c.platform] ?? c.platform;
  const titleId = `connection-${c.id}`;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby={titleId}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm" mb="sm">
        <div style={{ minWidth: 0 }}>
          <Title order={2} size="h4" id={titleId} style={{ overflowWrap: 'anywhere' }}>
            {c.shop}
          </Title>
          <Group gap="xs" mt={4}>
            <Text size="sm">{name}</Text>
            <Badge color={c.state === 'active' ? 'green' : 'red'} variant="light">
              {c.state === 'active' ? 'Connected' : 'Needs attention'}
            </Badge>
          </Group>
        </div>
        <Group gap="xs">
          <Button
            size="sm"
            variant="default"
            onClick={() => importing.mutate()}
            loading={importing.isPending}
            disabled={running}
          >
            {c.import.state === 'idle' ? 'Start import' : running ? 'Importing…' : 'Import again'}
          </Button>
          <Button
            size="sm"
            variant="default"
            onClick={() => reconciling.mutate()}
            loading={reconciling.isPending}
          >
            Reconcile now
          </Button>
        </Group>
      </Group>
      {c.lastError && (
        <Alert color="red" variant="light" mb="sm" title="Last error">
          {c.lastError}
        </Alert>
      )}
      {importing.isError && <ErrorNotice error={importing.error} title="Import not started" />}
      {reconciling.isError && <ErrorNotice error={reconciling.error} title="Not reconciled" />}
      {settingPush.isError && <ErrorNotice error={settingPush.error} title="Setting not changed" />}
      <Switch
        mb="sm"
        label={`Push fulfilments to ${name}`}
        description="Backfill's shipments of orders that came from the platform are created there too; shipments the platform reported are never sent back"
        checked={settingPush.isPending ? (settingPush.variables ?? c.pushFulfilments) : c.pushFulfilments}
        disabled={settingPush.isPending}
        onChange={(e) => settingPush.mutate(e.currentTarget.checked)}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="sm">
        <Stack gap={2}>
          <Text size="xs" c="dimmed">
            Last sync
          </Text>
          <Text size="sm">{c.lastSyncAt ? formatTime(c.lastSyncAt) : 'Not yet'}</Text>
        </Stack>
        <Stack gap={2}>
          <Text size="xs" c="dimmed">
            Webhook address (subscribe the topics to it)
          </Text>
          <Code style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>
            {window.location.origin}
            {c.webhookPath}
          </Code>
        </Stack>
        <ImportProgress connection={c} />
      </SimpleGrid>
      {detail.isPending ? (
        <Loading label="Loading the connection’s counters…" />
      ) : detail.isError ? (
        <ErrorNotice error={detail.error} onRetry={() => void detail.refetch()} />
      ) : (
        <Details detail={detail.data} />
      )}
    </Paper>
  );
}

function ImportProgress({ connection }: { connection: Connection }) {
  const p = connection.import;
  const words =
    p.state === 'idle'
      ? 'Not imported yet: start the import to bring in the catalogue and open orders.'
      : `${plural(p.variants, 'variant')}, ${plural(p.orders, 'order')}${p.state === 'running' ? ` · reading ${p.phase}` : ''}`;
  const label =
    { idle: 'Not started', running: 'Importing', done: 'Imported', failed: 'Import failed' }[p.state] ??
    p.state;
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed">
        Import
      </Text>
      <Text size="sm" role="status" aria-live="polite">
        {label}: {words}
      </Text>
      {p.state === 'running' && (
        <Progress value={100} striped animated aria-label="Import running" size="sm" />
      )}
      {p.state === 'done' && p.finishedAt && (
        <Text size="xs" c="dimmed">
          Finished {formatTime(p.finishedAt)}
        </Text>
      )}
      {p.error && (
        <Text size="sm" c="red.9">
          {p.error} — start it again to resume where it stopped.
        </Text>
      )}
    </Stack>
  );
}

function Details({ detail }: { detail: ConnectionDetail }) {
  const n = detail.counters;
  return (
    <Stack gap="sm">
      <Text size="sm">
        Inbound events: {formatCount(n.eventsReceived)} received, {formatCount(n.eventsPending)} waiting,{' '}
        {formatCount(n.eventsParked)} waiting for their order, {formatCount(n.eventsFailed)} failed · SKUs
        mapped: {formatCount(n.skusMapped)}, to push: {formatCount(n.skusToPush)}
        {n.pushFailures > 0 ? `, push failures: ${formatCount(n.pushFailures)}` : ''}
      </Text>
      <DriftReport drift={detail.drift} />
      <FailedEvents connectionId={detail.id} events={detail.failedEvents} />
    </Stack>
  );
}

function DriftReport({ drift }: { drift: ConnectionDetail['drift'] }) {
  if (!drift) {
    return (
      <Text size="sm" c="dimmed">
        Drift: not checked yet. Reconciliation runs every hour, or now with “Reconcile now”.
      </Text>
    );
  }
  return (
    <div>
      <Text size="sm">
        Drift at {formatTime(drift.checkedAt)}: {formatCount(drift.checked)} SKUs checked,{' '}
        {formatCount(drift.found)} differed, {formatCount(drift.repaired)} repaired.
      </Text>
      {drift.items.length > 0 && (
        <div className="table-scroll">
          <Table aria-label="Drift found" miw={420} verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">SKU</Table.Th>
                <Table.Th scope="col">Field</Table.Th>
                <Table.Th scope="col">Platform showed</Table.Th>
                <Table.Th scope="col">Backfill says</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {drift.items.map((item) => (
                <Table.Tr key={`${item.sku}:${item.field}`}>
                  <Table.Td>{item.sku}</Table.Td>
                  <Table.Td>{item.field}</Table.Td>
                  <Table.Td>{JSON.stringify(item.platform)}</Table.Td>
                  <Table.Td>{JSON.stringify(item.backfill)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </div>
  );
}

function FailedEvents(props: { connectionId: string; events: ConnectionDetail['failedEvents'] }) {
  // A retried event leaves the failed list at once: say so where it was.
  const [retried, setRetried] = useState<string | null>(null);
  return (
    <>
      {retried && (
        <Text size="sm" c="teal.9" role="status">
          {retried}
        </Text>
      )}
      <FailedEventList {...props} onRetried={setRetried} />
    </>
  );
}

function FailedEventList({
  connectionId,
  events,
  onRetried,
}: {
  connectionId: string;
  events: ConnectionDetail['failedEvents'];
  onRetried: (words: string) => void;
}) {
  if (events.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No failed events.
      </Text>
    );
  }
  return (
    <div>
      <Title order={3} size="h5" mb={4}>
        Failed events
      </Title>
      <div className="table-scroll">
        <Table aria-label="Failed events" miw={640} verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Received</Table.Th>
              <Table.Th scope="col">Topic</Table.Th>
              <Table.Th scope="col">Why it failed</Table.Th>
              <Table.Th scope="col">Attempts</Table.Th>
              <Table.Th scope="col">
                <span className="visually-hidden">Retry</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.map((event) => (
              <FailedEventRow
                key={event.id}
                connectionId={connectionId}
                event={event}
                onRetried={onRetried}
              />
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </div>
  );
}

function FailedEventRow({
  connectionId,
  event,
  onRetried,
}: {
  connectionId: string;
  event: ConnectionDetail['failedEvents'][number];
  onRetried: (words: string) => void;
}) {
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: () => retryEvent(connectionId, event.id),
    onSuccess: (retried) => {
      onRetried(`Retried the ${event.topic} event ${event.resourceId}: it is ${retried.state} again.`);
      void queryClient.invalidateQueries({ queryKey: ['connections', connectionId] });
    },
  });
  return (
    <Table.Tr data-event={event.id}>
      <Table.Td>{formatTime(event.receivedAt)}</Table.Td>
      <Table.Td>
        {event.topic}
        <Text size="xs" c="dimmed">
          {event.resourceId}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {event.lastError ?? '—'}
        </Text>
        {retry.isError && (
          <Text size="sm" c="red.9" role="alert">
            Not retried: {retry.error.message}
          </Text>
        )}
        {retry.isSuccess && (
          <Text size="sm" c="teal.9" role="status">
            Queued again ({retry.data.state})
          </Text>
        )}
      </Table.Td>
      <Table.Td>{event.attempts}</Table.Td>
      <Table.Td>
        <Button
          size="xs"
          variant="light"
          onClick={() => retry.mutate()}
          loading={retry.isPending}
          disabled={retry.isSuccess}
          aria-label={`Retry the ${event.topic} event ${event.resourceId}`}
        >
          Retry
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}
