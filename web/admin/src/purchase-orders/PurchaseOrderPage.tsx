/**
 * One purchase order: its lines (ordered, received, still to come), its actions (place, move the
 * date with a reason, change the reference, cancel), receiving a delivery line by line (partial
 * deliveries are fine), its receipts with their pick lists, and every date it has had.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { FormDialog } from '../shared/FormDialog';
import { formatCount, formatDay, formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { ErrorNotice, Loading } from '../shared/states';
import { type LineForm, LinesEditor, lineOf, linesToSend } from './LinesEditor';
import {
  cancelPurchaseOrder,
  getPurchaseOrder,
  listReceipts,
  type PurchaseOrder,
  patchPurchaseOrder,
  placePurchaseOrder,
  receive,
  STATUS_WORDS,
  suppliersQuery,
} from './supply-api';

const isOpen = (po: PurchaseOrder) => po.status === 'ordered' || po.status === 'partially_received';
const editable = (po: PurchaseOrder) => po.status !== 'received' && po.status !== 'cancelled';

export function PurchaseOrderPage() {
  const { purchaseOrderId } = useParams({ from: '/app/purchase-orders/$purchaseOrderId' });
  const po = useQuery({
    queryKey: ['supply', 'purchase-order', purchaseOrderId],
    queryFn: () => getPurchaseOrder(purchaseOrderId),
  });
  const suppliers = useQuery(suppliersQuery);
  const [dialog, setDialog] = useState<'date' | 'reference' | 'lines' | 'cancel' | null>(null);
  const [done, setDone] = useState<{ message: string; receiptId?: string } | null>(null);
  const queryClient = useQueryClient();
  const refresh = async (updated: PurchaseOrder) => {
    queryClient.setQueryData(['supply', 'purchase-order', purchaseOrderId], updated);
    await queryClient.invalidateQueries({ queryKey: ['supply'] });
  };
  const place = useMutation({
    mutationFn: () => placePurchaseOrder(purchaseOrderId),
    onSuccess: async (updated) => {
      await refresh(updated);
      setDone({ message: 'Ordered: its units now date the waiting orders of its SKUs.' });
    },
  });

  if (po.isPending) return <Loading label="Loading the purchase order…" />;
  if (po.isError)
    return (
      <>
        <PageTitle>Purchase order</PageTitle>
        <ErrorNotice error={po.error} onRetry={() => void po.refetch()} />
        <AnchorLink to="/purchase-orders" mt="md" display="inline-block">
          Back to purchase orders
        </AnchorLink>
      </>
    );
  const order = po.data;
  const supplier = suppliers.data?.find((s) => s.id === order.supplierId);
  const name = order.reference ?? order.id;
  const open = order.lines.reduce((sum, l) => sum + l.openQuantity, 0);

  return (
    <>
      <AnchorLink to="/purchase-orders" size="sm">
        ← All purchase orders
      </AnchorLink>
      <PageTitle
        description={`${supplier?.name ?? 'Supplier'} · expected ${formatDay(order.expectedDate)} · created ${formatTime(order.createdAt)}`}
        actions={
          <Group gap="xs">
            {order.status === 'draft' && (
              <Button onClick={() => place.mutate()} loading={place.isPending}>
                Place the order
              </Button>
            )}
            {editable(order) && (
              <>
                <Button variant="default" onClick={() => setDialog('date')}>
                  Move the date…
                </Button>
                <Button variant="default" onClick={() => setDialog('lines')}>
                  Edit lines…
                </Button>
                <Button variant="default" onClick={() => setDialog('reference')}>
                  Edit reference…
                </Button>
                <Button variant="light" color="red" onClick={() => setDialog('cancel')}>
                  Cancel…
                </Button>
              </>
            )}
          </Group>
        }
      >
        Purchase order {name}{' '}
        <Badge
          variant="light"
          color={STATUS_WORDS[order.status].color}
          size="lg"
          style={{ verticalAlign: 'middle' }}
        >
          {STATUS_WORDS[order.status].label}
        </Badge>
      </PageTitle>
      {place.isError && <ErrorNotice error={place.error} title="The order was not placed" />}
      {done && (
        <Alert
          color="green"
          variant="light"
          mb="md"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setDone(null)}
        >
          <Text size="sm">{done.message}</Text>
          {done.receiptId && (
            <AnchorLink
              to="/purchase-orders/receipts/$receiptId"
              params={{ receiptId: done.receiptId }}
              size="sm"
              fw={600}
            >
              Open the pick list
            </AnchorLink>
          )}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" mb="lg">
        {(
          [
            ['Units ordered', order.lines.reduce((sum, l) => sum + l.quantity, 0)],
            ['Received', order.lines.reduce((sum, l) => sum + l.receivedQuantity, 0)],
            ['Still to come', open],
            ['Date moves', Math.max(0, order.dateHistory.length - 1)],
          ] as const
        ).map(([label, value]) => (
          <Paper key={label} withBorder p="sm">
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={700} size="xl">
              {formatCount(value)}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>

      {isOpen(order) ? (
        <ReceiveForm
          po={order}
          onDone={async (updated, receiptId, message) => {
            await refresh(updated);
            setDone({ message, receiptId });
          }}
        />
      ) : (
        <LinesTable po={order} />
      )}

      <Receipts purchaseOrderId={order.id} />
      <DateHistory po={order} />

      {dialog === 'date' && (
        <MoveDateDialog
          po={order}
          onClose={() => setDialog(null)}
          onDone={async (updated) => {
            setDialog(null);
            await refresh(updated);
            setDone({
              message: `Expected date moved to ${formatDay(updated.expectedDate)}; waiting orders were re-dated.`,
            });
          }}
        />
      )}
      {dialog === 'reference' && (
        <ReferenceDialog
          po={order}
          onClose={() => setDialog(null)}
          onDone={async (updated) => {
            setDialog(null);
            await refresh(updated);
          }}
        />
      )}
      {dialog === 'lines' && (
        <LinesDialog
          po={order}
          onClose={() => setDialog(null)}
          onDone={async (updated) => {
            setDialog(null);
            await refresh(updated);
            setDone({
              message:
                updated.status === 'draft'
                  ? 'Lines saved.'
                  : 'Lines saved; waiting orders of its SKUs were re-dated.',
            });
          }}
        />
      )}
      {dialog === 'cancel' && (
        <CancelDialog
          po={order}
          onClose={() => setDialog(null)}
          onDone={async (updated) => {
            setDialog(null);
            await refresh(updated);
            setDone({ message: 'Cancelled: the units not received no longer count as coming.' });
          }}
        />
      )}
    </>
  );
}

function LinesTable({ po }: { po: PurchaseOrder }) {
  return (
    <section aria-labelledby="lines-title">
      <Title order={2} size="h4" mb="xs" id="lines-title">
        Lines
      </Title>
      <div className="table-scroll">
        <Table striped verticalSpacing="xs" miw={520} mb="lg" aria-labelledby="lines-title">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">SKU</Table.Th>
              <Table.Th scope="col" ta="right">
                Ordered
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Received
              </Table.Th>
              <Table.Th scope="col" ta="right">
                To come
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Unit cost
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {po.lines.map((line) => (
              <Table.Tr key={line.id}>
                <Table.Td fw={600}>{line.sku}</Table.Td>
                <Table.Td ta="right">{line.quantity}</Table.Td>
                <Table.Td ta="right">{line.receivedQuantity}</Table.Td>
                <Table.Td ta="right">{line.openQuantity}</Table.Td>
                <Table.Td ta="right">{formatCount(line.unitCost)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </section>
  );
}

/** The lines with a "receive now" quantity each (the units still to come by default; 0 skips a line). */
function ReceiveForm({
  po,
  onDone,
}: {
  po: PurchaseOrder;
  onDone: (updated: PurchaseOrder, receiptId: string, message: string) => Promise<void>;
}) {
  const [units, setUnits] = useState<Record<string, number | string>>(() =>
    Object.fromEntries(po.lines.map((l) => [l.sku, l.openQuantity])),
  );
  const chosen = po.lines
    .map((l) => ({ sku: l.sku, quantity: Number(units[l.sku] ?? 0) }))
    .filter((l) => Number.isInteger(l.quantity) && l.quantity > 0);
  const save = useMutation({
    mutationFn: () => receive(po.id, chosen),
    onSuccess: async (receipt) => {
      const docked = receipt.crossDock.reduce((sum, f) => sum + f.quantity, 0);
      const shelf = receipt.putaway.reduce((sum, p) => sum + p.quantity, 0);
      const orders = new Set(receipt.crossDock.map((f) => f.orderId)).size;
      if (receipt.purchaseOrder) {
        setUnits(Object.fromEntries(receipt.purchaseOrder.lines.map((l) => [l.sku, l.openQuantity])));
        await onDone(
          receipt.purchaseOrder,
          receipt.id,
          `Received ${docked + shelf} units: ${docked} go straight to ${orders} waiting order${orders === 1 ? '' : 's'}, ${shelf} to the shelf.`,
        );
      }
    },
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (chosen.length > 0) save.mutate();
  }
  return (
    <form onSubmit={onSubmit} aria-labelledby="receive-title">
      <Title order={2} size="h4" mb={4} id="receive-title">
        Lines and receiving
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Enter what arrived of each line (0 for nothing). Units go to the waiting orders first; the pick list
        says which parcel each unit goes into.
      </Text>
      <div className="table-scroll">
        <Table striped verticalSpacing="xs" miw={640} aria-labelledby="receive-title">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">SKU</Table.Th>
              <Table.Th scope="col" ta="right">
                Ordered
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Received
              </Table.Th>
              <Table.Th scope="col" ta="right">
                To come
              </Table.Th>
              <Table.Th scope="col">Arrived now</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {po.lines.map((line) => (
              <Table.Tr key={line.id}>
                <Table.Td fw={600}>{line.sku}</Table.Td>
                <Table.Td ta="right">{line.quantity}</Table.Td>
                <Table.Td ta="right">{line.receivedQuantity}</Table.Td>
                <Table.Td ta="right">{line.openQuantity}</Table.Td>
                <Table.Td>
                  <NumberInput
                    aria-label={`Units of ${line.sku} arrived now`}
                    value={units[line.sku] ?? 0}
                    onChange={(v) => setUnits((prev) => ({ ...prev, [line.sku]: v }))}
                    min={0}
                    max={line.openQuantity}
                    clampBehavior="strict"
                    allowDecimal={false}
                    allowNegative={false}
                    w={110}
                    size="xs"
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      {save.isError && <ErrorNotice error={save.error} title="Nothing was received" />}
      <Group mt="sm" mb="xl">
        <Button type="submit" loading={save.isPending} disabled={chosen.length === 0}>
          Receive {chosen.reduce((sum, l) => sum + l.quantity, 0)} units
        </Button>
      </Group>
    </form>
  );
}

function Receipts({ purchaseOrderId }: { purchaseOrderId: string }) {
  const receipts = useQuery({
    queryKey: ['supply', 'receipts', purchaseOrderId],
    queryFn: () => listReceipts(purchaseOrderId),
  });
  return (
    <section aria-labelledby="receipts-title">
      <Title order={2} size="h4" mb="xs" id="receipts-title">
        Deliveries received
      </Title>
      {receipts.isPending ? (
        <Loading label="Loading receipts…" />
      ) : receipts.isError ? (
        <ErrorNotice error={receipts.error} onRetry={() => void receipts.refetch()} />
      ) : receipts.data.data.length === 0 ? (
        <Text size="sm" c="dimmed" mb="lg">
          Nothing received yet. When the delivery arrives, enter the units above.
        </Text>
      ) : (
        <div className="table-scroll">
          <Table striped verticalSpacing="xs" miw={620} mb="lg" aria-labelledby="receipts-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Received on</Table.Th>
                <Table.Th scope="col" ta="right">
                  Units
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  To orders
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  To the shelf
                </Table.Th>
                <Table.Th scope="col">Timing</Table.Th>
                <Table.Th scope="col">
                  <span className="visually-hidden">Pick list</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {receipts.data.data.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{formatDay(r.receivedOn)}</Table.Td>
                  <Table.Td ta="right">{r.lines.reduce((s, l) => s + l.quantity, 0)}</Table.Td>
                  <Table.Td ta="right">{r.crossDock.reduce((s, l) => s + l.quantity, 0)}</Table.Td>
                  <Table.Td ta="right">{r.putaway.reduce((s, l) => s + l.quantity, 0)}</Table.Td>
                  <Table.Td>
                    {r.lateDays > 0
                      ? `${r.lateDays} days late`
                      : r.lateDays < 0
                        ? `${-r.lateDays} days early`
                        : 'on time'}
                  </Table.Td>
                  <Table.Td>
                    <AnchorLink
                      to="/purchase-orders/receipts/$receiptId"
                      params={{ receiptId: r.id }}
                      size="sm"
                    >
                      Pick list
                      <span className="visually-hidden"> of the delivery of {formatDay(r.receivedOn)}</span>
                    </AnchorLink>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </section>
  );
}

function DateHistory({ po }: { po: PurchaseOrder }) {
  return (
    <section aria-labelledby="history-title">
      <Title order={2} size="h4" mb="xs" id="history-title">
        Date history
      </Title>
      <div className="table-scroll">
        <Table striped verticalSpacing="xs" miw={560} aria-labelledby="history-title">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Expected date</Table.Th>
              <Table.Th scope="col">Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...po.dateHistory].reverse().map((change) => (
              <Table.Tr key={change.changedAt}>
                <Table.Td>{formatTime(change.changedAt)}</Table.Td>
                <Table.Td>
                  {change.previousDate ? (
                    <>
                      <Text span size="sm" c="dimmed" td="line-through">
                        {formatDay(change.previousDate)}
                      </Text>{' '}
                      → {formatDay(change.expectedDate)}
                    </>
                  ) : (
                    <>{formatDay(change.expectedDate)} (created)</>
                  )}
                </Table.Td>
                <Table.Td>{change.reason ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </section>
  );
}

function MoveDateDialog({
  po,
  onClose,
  onDone,
}: {
  po: PurchaseOrder;
  onClose: () => void;
  onDone: (updated: PurchaseOrder) => Promise<void>;
}) {
  const [date, setDate] = useState(po.expectedDate);
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: () =>
      patchPurchaseOrder(po.id, { expectedDate: date, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    onSuccess: onDone,
  });
  return (
    <FormDialog
      title="Move the expected date"
      submitLabel="Move the date"
      pending={save.isPending}
      error={save.error}
      errorTitle="The date did not move"
      onClose={onClose}
      onSubmit={() => save.mutate()}
    >
      <TextInput
        type="date"
        label="New expected date"
        value={date}
        onChange={(e) => setDate(e.currentTarget.value)}
        required
      />
      <Textarea
        label="Reason"
        description="Kept in the date history"
        placeholder="Supplier says the container is held at customs"
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        required
        maxLength={500}
      />
    </FormDialog>
  );
}

function ReferenceDialog({
  po,
  onClose,
  onDone,
}: {
  po: PurchaseOrder;
  onClose: () => void;
  onDone: (updated: PurchaseOrder) => Promise<void>;
}) {
  const [reference, setReference] = useState(po.reference ?? '');
  const save = useMutation({
    mutationFn: () => patchPurchaseOrder(po.id, { reference: reference.trim() || null }),
    onSuccess: onDone,
  });
  return (
    <FormDialog
      title="Edit the reference"
      submitLabel="Save"
      pending={save.isPending}
      error={save.error}
      errorTitle="The reference was not saved"
      onClose={onClose}
      onSubmit={() => save.mutate()}
    >
      <TextInput
        label="Your reference"
        description="Your own PO number; unique in the store. Empty: none."
        value={reference}
        onChange={(e) => setReference(e.currentTarget.value)}
        maxLength={200}
      />
    </FormDialog>
  );
}

function LinesDialog({
  po,
  onClose,
  onDone,
}: {
  po: PurchaseOrder;
  onClose: () => void;
  onDone: (updated: PurchaseOrder) => Promise<void>;
}) {
  const [lines, setLines] = useState<LineForm[]>(() => po.lines.map(lineOf));
  const save = useMutation({
    mutationFn: () => patchPurchaseOrder(po.id, { lines: linesToSend(lines) }),
    onSuccess: onDone,
  });
  return (
    <FormDialog
      title={`Lines of ${po.reference ?? po.id}`}
      size="lg"
      submitLabel="Save lines"
      pending={save.isPending}
      error={save.error}
      errorTitle="The lines were not saved"
      onClose={onClose}
      onSubmit={() => save.mutate()}
    >
      <Text size="sm" c="dimmed">
        Change units and costs, add SKUs or remove lines. A line cannot go below what has already been
        received.
      </Text>
      <LinesEditor lines={lines} onChange={setLines} />
    </FormDialog>
  );
}

function CancelDialog({
  po,
  onClose,
  onDone,
}: {
  po: PurchaseOrder;
  onClose: () => void;
  onDone: (updated: PurchaseOrder) => Promise<void>;
}) {
  const save = useMutation({ mutationFn: () => cancelPurchaseOrder(po.id), onSuccess: onDone });
  const open = po.lines.reduce((sum, l) => sum + l.openQuantity, 0);
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={onClose}
      title={`Cancel purchase order ${po.reference ?? po.id}?`}
    >
      <Stack gap="sm">
        <Text size="sm">
          The {open} unit{open === 1 ? '' : 's'} not yet received stop counting as coming: waiting orders of
          its SKUs are re-dated (by other purchase orders or the supplier’s lead time) and told if their date
          moves. Units already received stay in stock.
        </Text>
        {save.isError && <ErrorNotice error={save.error} title="The purchase order was not cancelled" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button color="red" onClick={() => save.mutate()} loading={save.isPending}>
            Cancel the purchase order
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
