/**
 * A new purchase order: supplier, your reference, expected date, draft or ordered, and its lines
 * (SKU, units, unit cost). Only ordered purchase orders count as supply for the promise dates.
 */
import { Group, NativeSelect, SegmentedControl, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { FormDialog } from '../shared/FormDialog';
import { emptyLine, type LineForm, LinesEditor, linesToSend } from './LinesEditor';
import { createPurchaseOrder, suppliersQuery } from './supply-api';

export function NewPurchaseOrderDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return opened ? <NewPurchaseOrderForm onClose={onClose} /> : null;
}

function NewPurchaseOrderForm({ onClose }: { onClose: () => void }) {
  const suppliers = useQuery(suppliersQuery);
  const [supplierId, setSupplierId] = useState('');
  const [reference, setReference] = useState('');
  const [expectedDate, setExpectedDate] = useState('');
  const [status, setStatus] = useState<'ordered' | 'draft'>('ordered');
  const [lines, setLines] = useState<LineForm[]>([emptyLine()]);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const chosenSupplier = supplierId || suppliers.data?.[0]?.id || '';
  const create = useMutation({
    mutationFn: () =>
      createPurchaseOrder({
        supplierId: chosenSupplier,
        ...(reference.trim() ? { reference: reference.trim() } : {}),
        expectedDate,
        status,
        lines: linesToSend(lines),
      }),
    onSuccess: async (po) => {
      await queryClient.invalidateQueries({ queryKey: ['supply'] });
      onClose();
      await navigate({ to: '/purchase-orders/$purchaseOrderId', params: { purchaseOrderId: po.id } });
    },
  });
  const noSuppliers = suppliers.data?.length === 0;
  return (
    <FormDialog
      title="New purchase order"
      size="lg"
      submitLabel="Create purchase order"
      submitDisabled={noSuppliers}
      pending={create.isPending}
      error={create.error}
      errorTitle="The purchase order was not created"
      onClose={onClose}
      onSubmit={() => create.mutate()}
    >
      {noSuppliers && (
        <Text size="sm" c="red.9">
          Add a supplier first (the Suppliers tab): a purchase order is placed with one.
        </Text>
      )}
      <Group grow align="flex-end" wrap="wrap">
        <NativeSelect
          label="Supplier"
          value={chosenSupplier}
          onChange={(e) => setSupplierId(e.currentTarget.value)}
          data={(suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          required
          miw={200}
        />
        <TextInput
          label="Your reference (optional)"
          placeholder="PO-1017"
          value={reference}
          onChange={(e) => setReference(e.currentTarget.value)}
          maxLength={200}
          miw={160}
        />
      </Group>
      <Group grow align="flex-end" wrap="wrap">
        <TextInput
          type="date"
          label="Expected delivery"
          value={expectedDate}
          onChange={(e) => setExpectedDate(e.currentTarget.value)}
          required
          miw={180}
        />
        <div>
          <Text size="sm" fw={500} mb={4} id="po-status-label">
            Status
          </Text>
          <SegmentedControl
            value={status}
            onChange={(v) => setStatus(v as 'ordered' | 'draft')}
            data={[
              { value: 'ordered', label: 'Ordered' },
              { value: 'draft', label: 'Draft' },
            ]}
            aria-labelledby="po-status-label"
          />
        </div>
      </Group>
      <LinesEditor lines={lines} onChange={setLines} />
    </FormDialog>
  );
}
