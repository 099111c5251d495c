/** Suppliers: name, email and lead time (which dates waiting lines beyond the open purchase orders). */
import { Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { createSupplier, patchSupplier, type Supplier, suppliersQuery } from './supply-api';

export function SuppliersPanel() {
  const suppliers = useQuery(suppliersQuery);
  const [editing, setEditing] = useState<Supplier | 'new' | null>(null);
  return (
    <>
      <Group justify="space-between" mb="md">
        <Text size="sm" c="dimmed">
          A supplier’s lead time dates the waiting orders of its SKUs beyond what is on order.
        </Text>
        <Button variant="default" onClick={() => setEditing('new')}>
          Add a supplier
        </Button>
      </Group>
      {suppliers.isPending ? (
        <Loading label="Loading suppliers…" />
      ) : suppliers.isError ? (
        <ErrorNotice error={suppliers.error} onRetry={() => void suppliers.refetch()} />
      ) : suppliers.data.length === 0 ? (
        <EmptyState
          title="No suppliers yet"
          action={<Button onClick={() => setEditing('new')}>Add a supplier</Button>}
        >
          Add the companies you buy from, with how many days they usually take to deliver. Purchase orders are
          placed with a supplier.
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <Table striped verticalSpacing="xs" miw={560} aria-label="Suppliers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Supplier</Table.Th>
                <Table.Th scope="col">Email</Table.Th>
                <Table.Th scope="col" ta="right">
                  Lead time
                </Table.Th>
                <Table.Th scope="col">
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {suppliers.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td fw={600}>{s.name}</Table.Td>
                  <Table.Td>{s.email ?? '—'}</Table.Td>
                  <Table.Td ta="right">
                    {s.leadTimeDays} day{s.leadTimeDays === 1 ? '' : 's'}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => setEditing(s)}
                      aria-label={`Edit ${s.name}`}
                    >
                      Edit
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {editing !== null && (
        <SupplierDialog supplier={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
    </>
  );
}

function SupplierDialog({ supplier, onClose }: { supplier: Supplier | null; onClose: () => void }) {
  const [name, setName] = useState(supplier?.name ?? '');
  const [email, setEmail] = useState(supplier?.email ?? '');
  const [lead, setLead] = useState<number | string>(supplier?.leadTimeDays ?? 14);
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), email: email.trim() || null, leadTimeDays: Number(lead) };
      return supplier ? patchSupplier(supplier.id, body) : createSupplier(body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['supply', 'suppliers'] });
      onClose();
    },
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={onClose}
      title={supplier ? `Edit ${supplier.name}` : 'Add a supplier'}
    >
      <form onSubmit={onSubmit}>
        <Stack gap="sm">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            maxLength={200}
          />
          <TextInput
            label="Email (optional)"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <NumberInput
            label="Lead time in days"
            description="From order to delivery, usually"
            value={lead}
            onChange={setLead}
            min={0}
            allowDecimal={false}
            allowNegative={false}
            required
          />
          {save.isError && <ErrorNotice error={save.error} title="The supplier was not saved" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {supplier ? 'Save' : 'Add supplier'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
