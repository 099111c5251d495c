/**
 * API keys (issue 16): several per store, each with a name and a scope. A new key is shown once,
 * with a copy button; the list shows only a hint of each. Revoking stops a key within a second.
 */
import { Badge, Button, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { ApiKey } from '../api/messaging';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { formatTime } from '../shared/format';
import { ShownOnce } from '../shared/ShownOnce';
import { ErrorNotice, Loading } from '../shared/states';

type Scope = ApiKey['scope'];
const SCOPES: { value: Scope; label: string }[] = [
  { value: 'full', label: 'Full: every admin endpoint (sk_…)' },
  { value: 'read-only', label: 'Read-only: admin reads (rk_…)' },
  { value: 'storefront', label: 'Storefront: availability on your shop pages (pk_…)' },
];
const SCOPE_SHORT: Record<Scope, string> = {
  full: 'Full',
  'read-only': 'Read-only',
  storefront: 'Storefront',
};

export function ApiKeys() {
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['keys'],
    queryFn: () => data(api.GET('/v1/keys', { params: { query: { limit: 500 } } })),
  });
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read-only');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['keys'] });

  const create = useMutation({
    mutationFn: () => data(api.POST('/v1/keys', { body: { name: name.trim(), scope } })),
    onSuccess: (key) => {
      setCreated({ name: key.name, key: key.key });
      setName('');
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => data(api.POST('/v1/keys/{id}/revoke', { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      refresh();
    },
  });
  function onCreate(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    create.mutate();
  }

  const list = keys.data?.data ?? [];
  return (
    <Stack gap="lg">
      {created && (
        <ShownOnce
          title={`Your new key “${created.name}”`}
          secret={created.key}
          onDone={() => setCreated(null)}
        />
      )}
      {keys.isPending ? (
        <Loading label="Loading keys…" />
      ) : keys.isError ? (
        <ErrorNotice error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <div className="table-scroll">
          <Table verticalSpacing="xs" miw={680} aria-label="API keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Scope</Table.Th>
                <Table.Th scope="col">Key</Table.Th>
                <Table.Th scope="col">Created</Table.Th>
                <Table.Th scope="col">Last used</Table.Th>
                <Table.Th scope="col">
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((k) => (
                <Table.Tr key={k.id} data-key={k.name}>
                  <Table.Td>{k.name}</Table.Td>
                  <Table.Td>{SCOPE_SHORT[k.scope]}</Table.Td>
                  <Table.Td>
                    <code>{k.hint}</code>
                  </Table.Td>
                  <Table.Td>{formatTime(k.createdAt)}</Table.Td>
                  <Table.Td>{formatTime(k.lastUsedAt)}</Table.Td>
                  <Table.Td>
                    {k.revokedAt ? (
                      <Badge color="gray" variant="light">
                        Revoked {formatTime(k.revokedAt)}
                      </Badge>
                    ) : (
                      <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(k)}>
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}

      <form onSubmit={onCreate} aria-labelledby="new-key-title">
        <Title order={3} size="h4" id="new-key-title" mb="xs">
          Create a key
        </Title>
        <Stack gap="sm" maw={560}>
          <TextInput
            label="Name"
            description="What it is for, e.g. “Warehouse scanner”"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select
            label="Scope"
            value={scope}
            allowDeselect={false}
            onChange={(v) => v && setScope(v as Scope)}
            data={SCOPES}
          />
          {create.isError && <ErrorNotice error={create.error} title="No key created" />}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>

      <ConfirmDialog
        opened={revoking !== null}
        title="Revoke this key?"
        closeLabel="Close without revoking"
        keepLabel="Keep it"
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={revoke.isError ? revoke.error : null}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        “{revoking?.name}” ({revoking?.hint}) stops working within a second, everywhere. This cannot be
        undone: whatever uses it needs a new key.
      </ConfirmDialog>
    </Stack>
  );
}
