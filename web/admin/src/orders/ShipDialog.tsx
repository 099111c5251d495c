/**
 * Ship an order's ready units (POST /v1/orders/{id}/shipments): per line, up to its allocated
 * units; carrier and tracking number optional. All or nothing on the server.
 */
import { Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { Order } from '../api/types';
import { ErrorNotice } from '../shared/states';

export function ShipDialog({
  order,
  onClose,
  onDone,
}: {
  order: Order;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const ready = order.lines.filter((l) => l.allocatedQuantity > 0);
  const [quantities, setQuantities] = useState<Record<string, number>>(() =>
    Object.fromEntries(ready.map((l) => [l.id, l.allocatedQuantity])),
  );
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [key] = useState(() => crypto.randomUUID());
  const queryClient = useQueryClient();
  const chosen = ready
    .map((l) => ({ lineId: l.id, quantity: quantities[l.id] ?? 0, max: l.allocatedQuantity }))
    .filter((l) => l.quantity > 0);
  const valid = chosen.length > 0 && chosen.every((l) => Number.isInteger(l.quantity) && l.quantity <= l.max);
  const total = chosen.reduce((n, l) => n + l.quantity, 0);

  const ship = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/orders/{id}/shipments', {
          params: { path: { id: order.id }, header: { 'idempotency-key': key } },
          body: {
            lines: chosen.map(({ lineId, quantity }) => ({ lineId, quantity })),
            ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
            ...(tracking.trim() ? { trackingNumber: tracking.trim() } : {}),
          },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['order', order.id] });
      void queryClient.invalidateQueries({ queryKey: ['orders'] });
      void queryClient.invalidateQueries({ queryKey: ['overview'] });
      onDone(`Shipped ${total} unit${total === 1 ? '' : 's'}.`);
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (valid) ship.mutate();
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={`Ship order ${order.number}`}
      centered
      closeButtonProps={{ 'aria-label': 'Close without shipping' }}
      size="lg"
    >
      <form onSubmit={onSubmit}>
        <Stack>
          <Text size="sm">
            Only units ready to ship (allocated) can ship. Shipping lowers on-hand stock; where Backfill
            manages the store’s payments, money due for these units is collected first.
          </Text>
          {ship.isError && <ErrorNotice error={ship.error} title="Nothing shipped" />}
          <div className="table-scroll">
            <Table aria-label="Units to ship" miw={320}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">SKU</Table.Th>
                  <Table.Th scope="col">Ready</Table.Th>
                  <Table.Th scope="col">Ship now</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {ready.map((line, i) => (
                  <Table.Tr key={line.id}>
                    <Table.Td>{line.sku}</Table.Td>
                    <Table.Td>{line.allocatedQuantity}</Table.Td>
                    <Table.Td>
                      <NumberInput
                        aria-label={`Units of ${line.sku} to ship`}
                        min={0}
                        max={line.allocatedQuantity}
                        allowDecimal={false}
                        clampBehavior="strict"
                        value={quantities[line.id] ?? 0}
                        onChange={(v) =>
                          setQuantities((q) => ({
                            ...q,
                            [line.id]: typeof v === 'number' ? v : Number.parseInt(v, 10) || 0,
                          }))
                        }
                        w={100}
                        data-autofocus={i === 0 ? true : undefined}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          <Group grow wrap="wrap" align="flex-start">
            <TextInput
              label="Carrier (optional)"
              maxLength={100}
              value={carrier}
              onChange={(e) => setCarrier(e.currentTarget.value)}
            />
            <TextInput
              label="Tracking number (optional)"
              maxLength={200}
              value={tracking}
              onChange={(e) => setTracking(e.currentTarget.value)}
            />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Not now
            </Button>
            <Button type="submit" loading={ship.isPending} disabled={!valid}>
              Ship {total} unit{total === 1 ? '' : 's'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
