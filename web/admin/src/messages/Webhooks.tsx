/**
 * Webhook endpoints: where events are POSTed (signed per Standard Webhooks). The signing secret is
 * shown once, when an endpoint is created or its secret rotated; deliveries are in the message log.
 */
import { Badge, Button, Group, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { WebhookEndpoint } from '../api/messaging';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { ShownOnce } from '../shared/ShownOnce';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';

const eventTypesOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);

export function Webhooks() {
  const queryClient = useQueryClient();
  const endpoints = useQuery({
    queryKey: ['webhook-endpoints'],
    queryFn: () => data(api.GET('/v1/webhook-endpoints', { params: { query: { limit: 100 } } })),
  });
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState('');
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });

  const create = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/webhook-endpoints', {
          body: { url: url.trim(), description: description.trim() || null, eventTypes: eventTypesOf(types) },
        }),
      ),
    onSuccess: (created) => {
      setSecret({ title: `Signing secret of ${created.url}`, value: created.secret ?? '' });
      setUrl('');
      setDescription('');
      setTypes('');
      refresh();
    },
  });
  const patch = useMutation({
    mutationFn: (input: { id: string; enabled?: boolean; rotateSecret?: boolean }) =>
      data(
        api.PATCH('/v1/webhook-endpoints/{id}', {
          params: { path: { id: input.id } },
          body: {
            ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
            ...(input.rotateSecret ? { rotateSecret: true } : {}),
          },
        }),
      ),
    onSuccess: (endpoint) => {
      if (endpoint.secret)
        setSecret({ title: `New signing secret of ${endpoint.url}`, value: endpoint.secret });
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => data(api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      refresh();
    },
  });

  function onCreate(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  const list = endpoints.data?.data ?? [];
  return (
    <Stack gap="lg">
      {secret && <ShownOnce title={secret.title} secret={secret.value} onDone={() => setSecret(null)} />}
      {endpoints.isPending ? (
        <Loading label="Loading webhook endpoints…" />
      ) : endpoints.isError ? (
        <ErrorNotice error={endpoints.error} onRetry={() => void endpoints.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No webhook endpoints">
          Add the URL of a system that should hear about orders, stock and dates (your shop, an ERP, Zapier):
          Backfill POSTs each event to it, signed, and retries for a day.
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <Table verticalSpacing="xs" miw={640} aria-label="Webhook endpoints">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Endpoint</Table.Th>
                <Table.Th scope="col">Events</Table.Th>
                <Table.Th scope="col">Secret</Table.Th>
                <Table.Th scope="col">Enabled</Table.Th>
                <Table.Th scope="col">
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    <Text size="sm" fw={600}>
                      {e.url}
                    </Text>
                    {e.description && (
                      <Text size="xs" c="dimmed">
                        {e.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {e.eventTypes.length === 0 ? (
                      <Badge variant="light">All events</Badge>
                    ) : (
                      <Text size="xs">{e.eventTypes.join(', ')}</Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <code>{e.secretHint}</code>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={e.enabled}
                      onChange={(event) => patch.mutate({ id: e.id, enabled: event.currentTarget.checked })}
                      aria-label={`Deliver to ${e.url}`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => patch.mutate({ id: e.id, rotateSecret: true })}
                      >
                        New secret
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(e)}>
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {patch.isError && <ErrorNotice error={patch.error} />}

      <form onSubmit={onCreate} aria-labelledby="new-endpoint">
        <Title order={3} size="h4" id="new-endpoint" mb="xs">
          Add an endpoint
        </Title>
        <Stack gap="sm" maw={560}>
          <TextInput
            label="URL"
            placeholder="https://shop.example/backfill-events"
            required
            type="url"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
          <TextInput
            label="Description (optional)"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <TextInput
            label="Event types (optional)"
            description="Separated by commas, e.g. order.placed, order.line.allocated. Empty: every event."
            value={types}
            onChange={(e) => setTypes(e.currentTarget.value)}
          />
          {create.isError && <ErrorNotice error={create.error} title="Not added" />}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>

      <ConfirmDialog
        opened={deleting !== null}
        title="Delete this endpoint?"
        closeLabel="Close without deleting"
        keepLabel="Keep it"
        confirmLabel="Delete endpoint"
        pending={remove.isPending}
        error={remove.isError ? remove.error : null}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
      >
        Deliveries to {deleting?.url} stop, and those still pending are dropped.
      </ConfirmDialog>
    </Stack>
  );
}
