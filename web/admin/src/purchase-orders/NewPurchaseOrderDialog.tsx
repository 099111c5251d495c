/**
 * A new purchase order: supplier, your reference, expected date, draft or ordered, and its lines
 * (SKU, units, unit cost). Only ordered purchase orders count as supply for the promise dates.
 */
import {
  ActionIcon,
  Button,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../shared/states';
import { createPurchaseOrder, suppliersQuery } from './supply-api';

interface LineForm {
  key: number;
  sku: string;
  quantity: number | string;
  unitCost: number | string;
}

let nextKey = 1;
const emptyLine = (): LineForm => ({ key: nextKey++, sku: '', quantity: '', unitCost: 0 });

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
        lines: lines
          .filter((l) => l.sku.trim() !== '')
          .map((l) => ({
            sku: l.sku.trim(),
            quantity: Number(l.quantity),
            unitCost: Number(l.unitCost) || 0,
          })),
      }),
    onSuccess: async (po) => {
      await queryClient.invalidateQueries({ queryKey: ['supply'] });
      onClose();
      await navigate({ to: '/purchase-orders/$purchaseOrderId', params: { purchaseOrderId: po.id } });
    },
  });
  const setLine = (key: number, change: Partial<LineForm>) =>
    setLines((prev) => prev.map((l) => (l.key === key ? { ...l, ...change } : l)));
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  const noSuppliers = suppliers.data?.length === 0;
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={onClose}
      title="New purchase order"
      size="lg"
    >
      <form onSubmit={onSubmit}>
        <Stack gap="sm">
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
          <Text size="sm" fw={600} mt="xs">
            Lines
          </Text>
          {lines.map((line, i) => (
            <Group key={line.key} align="flex-end" gap="xs" wrap="wrap">
              <TextInput
                label={`SKU, line ${i + 1}`}
                value={line.sku}
                onChange={(e) => setLine(line.key, { sku: e.currentTarget.value })}
                required={i === 0}
                w={200}
              />
              <NumberInput
                label={`Units, line ${i + 1}`}
                value={line.quantity}
                onChange={(v) => setLine(line.key, { quantity: v })}
                min={1}
                allowDecimal={false}
                allowNegative={false}
                required={line.sku.trim() !== ''}
                w={100}
              />
              <NumberInput
                label={`Unit cost, line ${i + 1} (minor units)`}
                value={line.unitCost}
                onChange={(v) => setLine(line.key, { unitCost: v })}
                min={0}
                allowDecimal={false}
                allowNegative={false}
                w={170}
              />
              {lines.length > 1 && (
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  mb={2}
                  aria-label={`Remove line ${i + 1}`}
                  onClick={() => setLines((prev) => prev.filter((l) => l.key !== line.key))}
                >
                  ×
                </ActionIcon>
              )}
            </Group>
          ))}
          <Group>
            <Button variant="subtle" size="xs" onClick={() => setLines((prev) => [...prev, emptyLine()])}>
              Add a line
            </Button>
          </Group>
          {create.isError && <ErrorNotice error={create.error} title="The purchase order was not created" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={noSuppliers}>
              Create purchase order
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
