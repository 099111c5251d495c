/**
 * Staff and roles: who signs in to this store's console, with which role; invite by email (the
 * link goes by the store's email channel, or is shown here to pass on), send an invitation again,
 * change a role, remove someone (their sessions end at once).
 */
import { Alert, Badge, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { StaffMember } from '../api/messaging';
import { type Role, sessionQuery } from '../api/session';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { formatTime } from '../shared/format';
import { ShownOnce } from '../shared/ShownOnce';
import { ErrorNotice, Loading } from '../shared/states';

const ROLES: { value: Role; label: string }[] = [
  { value: 'owner', label: 'Owner: everything' },
  { value: 'ops', label: 'Operations: stock, purchase orders, orders' },
  { value: 'support', label: 'Support: orders, customers, messages' },
];
const ROLE_SHORT: Record<Role, string> = { owner: 'Owner', ops: 'Operations', support: 'Support' };

type Invited = { staff: StaffMember; link?: string };

export function Staff() {
  const queryClient = useQueryClient();
  const me = useQuery(sessionQuery).data?.staff.id;
  const staff = useQuery({
    queryKey: ['staff'],
    queryFn: () => data(api.GET('/v1/staff', { params: { query: { limit: 500 } } })),
  });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('support');
  const [result, setResult] = useState<Invited | null>(null);
  const [removing, setRemoving] = useState<StaffMember | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['staff'] });

  const invite = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/staff', {
          body: { email: email.trim(), role, ...(name.trim() ? { name: name.trim() } : {}) },
        }),
      ),
    onSuccess: (invited) => {
      setResult(invited);
      setEmail('');
      setName('');
      refresh();
    },
  });
  const resend = useMutation({
    mutationFn: (id: string) => data(api.POST('/v1/staff/{id}/invite', { params: { path: { id } } })),
    onSuccess: (invited) => {
      setResult(invited);
      refresh();
    },
  });
  const change = useMutation({
    mutationFn: (input: { id: string; role: Role }) =>
      data(api.PATCH('/v1/staff/{id}', { params: { path: { id: input.id } }, body: { role: input.role } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => data(api.DELETE('/v1/staff/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRemoving(null);
      refresh();
    },
  });

  function onInvite(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    invite.mutate();
  }

  const list = staff.data?.data ?? [];
  return (
    <Stack gap="lg">
      {result &&
        (result.link ? (
          <ShownOnce
            title={`One-time sign-in link for ${result.staff.email}`}
            secret={result.link}
            onDone={() => setResult(null)}
          />
        ) : (
          <Alert
            color="green"
            variant="light"
            role="status"
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setResult(null)}
          >
            Invitation emailed to {result.staff.email}. The link works once, for 7 days.
          </Alert>
        ))}
      {staff.isPending ? (
        <Loading label="Loading staff…" />
      ) : staff.isError ? (
        <ErrorNotice error={staff.error} onRetry={() => void staff.refetch()} />
      ) : (
        <div className="table-scroll">
          <Table verticalSpacing="xs" miw={720} aria-label="Staff">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Person</Table.Th>
                <Table.Th scope="col">Role</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Last sign-in</Table.Th>
                <Table.Th scope="col">
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((s) => (
                <Table.Tr key={s.id} data-staff={s.email}>
                  <Table.Td>
                    <Text size="sm" fw={600} style={{ wordBreak: 'break-all' }}>
                      {s.name || s.email}
                      {s.id === me ? ' (you)' : ''}
                    </Text>
                    {s.name && (
                      <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
                        {s.email}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={`Role of ${s.email}`}
                      value={s.role}
                      allowDeselect={false}
                      onChange={(value) =>
                        value && value !== s.role && change.mutate({ id: s.id, role: value as Role })
                      }
                      data={ROLES.map((r) => ({ value: r.value, label: ROLE_SHORT[r.value] }))}
                      w={150}
                      size="xs"
                    />
                  </Table.Td>
                  <Table.Td>
                    {s.status === 'invited' ? (
                      <Badge color="yellow" variant="light">
                        Invited
                      </Badge>
                    ) : s.lockedUntil && new Date(s.lockedUntil) > new Date() ? (
                      <Badge color="red" variant="light">
                        Locked
                      </Badge>
                    ) : (
                      <Badge color="green" variant="light">
                        Active
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{formatTime(s.lastSignInAt)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      {s.status === 'invited' && (
                        <Button
                          size="xs"
                          variant="default"
                          loading={resend.isPending && resend.variables === s.id}
                          onClick={() => resend.mutate(s.id)}
                        >
                          Resend invitation
                        </Button>
                      )}
                      {s.id !== me && (
                        <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(s)}>
                          Remove
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {change.isError && <ErrorNotice error={change.error} title="Role not changed" />}
      {resend.isError && <ErrorNotice error={resend.error} title="Invitation not sent" />}

      <form onSubmit={onInvite} aria-labelledby="invite-title">
        <Title order={3} size="h4" id="invite-title" mb="xs">
          Invite someone
        </Title>
        <Stack gap="sm" maw={560}>
          <TextInput
            label="Email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <TextInput label="Name (optional)" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select
            label="Role"
            value={role}
            allowDeselect={false}
            onChange={(v) => v && setRole(v as Role)}
            data={ROLES}
          />
          {invite.isError && <ErrorNotice error={invite.error} title="Not invited" />}
          <Group>
            <Button type="submit" loading={invite.isPending}>
              Send invitation
            </Button>
          </Group>
        </Stack>
      </form>

      <ConfirmDialog
        opened={removing !== null}
        title="Remove this staff member?"
        closeLabel="Close without removing"
        keepLabel="Keep them"
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.isError ? remove.error : null}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing.id)}
      >
        {removing?.email} can no longer sign in, and their open sessions end now. The audit log keeps what
        they did.
      </ConfirmDialog>
    </Stack>
  );
}
