/**
 * One order: its customer and each line with what is allocated, waiting (and where in the queue),
 * shipped and cancelled, and the dates (eta, latest likely, what they rest on); its money; and its
 * timeline (events and messages). Actions, as the role allows: cancel a line's remaining units
 * (freed stock goes to the queue's head), ship ready units, record a payment taken outside
 * Backfill, resend a message.
 */
import {
  Alert,
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
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { type FormEvent, useMemo, useState } from 'react';
import { api, data } from '../api/client';
import { sessionQuery } from '../api/session';
import type { Order, OrderLine } from '../api/types';
import { formatDay, formatMoney, formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { ErrorNotice, Loading } from '../shared/states';
import { may } from './access';
import { paymentsQuery } from './api';
import { OrderTimeline } from './OrderTimeline';
import { PaymentDialog } from './PaymentDialog';
import { ShipDialog } from './ShipDialog';
import { StatusBadge } from './StatusBadge';

const SOURCE_WORDS: Record<string, string> = {
  stock: 'in stock',
  purchase_order: 'purchase order',
  lead_time: 'supplier lead time',
  merchant_date: 'date you set',
};

const cancellable = (line: OrderLine) => line.quantity - line.shippedQuantity - line.cancelledQuantity;

export function OrderPage() {
  const { orderId } = useParams({ from: '/app/orders/$orderId' });
  const order = useQuery({
    queryKey: ['order', orderId],
    queryFn: () => data(api.GET('/v1/orders/{id}', { params: { path: { id: orderId } } })),
  });
  const payments = useQuery(paymentsQuery(orderId));
  const role = useQuery(sessionQuery).data?.staff.role;
  const [cancelling, setCancelling] = useState<OrderLine | null>(null);
  const [dialog, setDialog] = useState<'ship' | 'payment' | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (order.isPending) return <Loading label="Loading the order…" />;
  if (order.isError)
    return (
      <>
        <PageTitle>Order</PageTitle>
        <ErrorNotice error={order.error} onRetry={() => void order.refetch()} />
        <AnchorLink to="/orders" mt="md" display="inline-block">
          Back to orders
        </AnchorLink>
      </>
    );
  const o = order.data;
  const money = payments.data ?? null;
  const readyUnits = o.lines.reduce((n, l) => n + l.allocatedQuantity, 0);
  const canShip = may(role, 'ship') && readyUnits > 0;
  const canRecord = may(role, 'recordPayment') && money?.provider === 'manual' && money.due > 0;
  const finish = (message: string) => {
    setDialog(null);
    setDone(message);
  };
  return (
    <>
      <AnchorLink to="/orders" search={o.customer.email ? { email: o.customer.email } : {}} size="sm">
        ← {o.customer.email ? `Orders of ${o.customer.email}` : 'All orders'}
      </AnchorLink>
      <PageTitle
        description={`Placed ${formatTime(o.createdAt)}${o.externalId ? ` · your id ${o.externalId}` : ''}`}
        actions={
          (canShip || canRecord) && (
            <Group gap="xs">
              {canShip && (
                <Button onClick={() => setDialog('ship')}>
                  Ship {readyUnits} ready unit{readyUnits === 1 ? '' : 's'}…
                </Button>
              )}
              {canRecord && (
                <Button variant="default" onClick={() => setDialog('payment')}>
                  Record a payment…
                </Button>
              )}
            </Group>
          )
        }
      >
        Order {o.number} <StatusBadge status={o.status} />
      </PageTitle>
      {done && (
        <Alert
          color="green"
          variant="light"
          mb="md"
          role="status"
          withCloseButton
          onClose={() => setDone(null)}
        >
          {done}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 3 }} mb="lg">
        <Paper withBorder p="md">
          <Title order={2} size="h5" mb="xs">
            Customer
          </Title>
          <Text>{o.customer.name ?? 'No name given'}</Text>
          <Text size="sm">{o.customer.email ?? 'No email'}</Text>
          {o.customer.phone && <Text size="sm">{o.customer.phone}</Text>}
        </Paper>
        <Paper withBorder p="md">
          <Title order={2} size="h5" mb="xs">
            Shipping
          </Title>
          <Text size="sm">Method: {o.shippingMethod ?? 'the store’s default'}</Text>
          <Text size="sm">
            Total:{' '}
            {formatMoney(
              o.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0),
              o.currency,
            )}
          </Text>
        </Paper>
        <Paper withBorder p="md">
          <Title order={2} size="h5" mb="xs">
            Payments
          </Title>
          {payments.isPending ? (
            <Text size="sm" c="dimmed">
              Loading…
            </Text>
          ) : payments.isError ? (
            <ErrorNotice error={payments.error} onRetry={() => void payments.refetch()} />
          ) : money === null ? (
            <Text size="sm" c="dimmed">
              Backfill does not manage this store’s money: payments and refunds happen on your platform.
            </Text>
          ) : (
            <>
              <Text size="sm">
                Paid {formatMoney(money.paid, o.currency)} of {formatMoney(money.total, o.currency)}
                {money.provider === 'manual' ? ' (recorded by hand)' : ' (by card)'}
              </Text>
              <Text size="sm">Due now: {formatMoney(money.due, o.currency)}</Text>
              <Text size="sm" c="dimmed">
                Still to come: {formatMoney(money.balance, o.currency)}
              </Text>
            </>
          )}
        </Paper>
      </SimpleGrid>
      <Title order={2} size="h4" mb="xs">
        Lines
      </Title>
      <div className="table-scroll">
        <Table verticalSpacing="sm" miw={860} aria-label={`Lines of order ${o.number}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">SKU</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Ordered</Table.Th>
              <Table.Th scope="col">Ready</Table.Th>
              <Table.Th scope="col">Waiting</Table.Th>
              <Table.Th scope="col">Shipped</Table.Th>
              <Table.Th scope="col">Cancelled</Table.Th>
              <Table.Th scope="col">Ships by</Table.Th>
              <Table.Th scope="col">
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {o.lines.map((line) => (
              <Table.Tr key={line.id} data-line={line.sku}>
                <Table.Td>
                  <Text fw={600} size="sm">
                    {line.sku}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatMoney(line.unitPrice, o.currency)} each
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={line.status} />
                </Table.Td>
                <Table.Td>{line.quantity}</Table.Td>
                <Table.Td>{line.allocatedQuantity}</Table.Td>
                <Table.Td>
                  {line.backorderedQuantity}
                  {line.queuePosition !== null && (
                    <Text size="xs" c="dimmed">
                      #{line.queuePosition} in queue
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{line.shippedQuantity}</Table.Td>
                <Table.Td>{line.cancelledQuantity}</Table.Td>
                <Table.Td>
                  {line.eta ? (
                    <>
                      <Text size="sm">{formatDay(line.eta)}</Text>
                      <Text size="xs" c="dimmed">
                        latest {formatDay(line.etaLatest)}
                        {line.etaSource ? ` · ${SOURCE_WORDS[line.etaSource] ?? line.etaSource}` : ''}
                      </Text>
                    </>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {line.status === 'shipped' ? 'Shipped' : 'Nothing left to ship'}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {cancellable(line) > 0 && (
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      onClick={() => setCancelling(line)}
                      aria-label={`Cancel units of ${line.sku}`}
                    >
                      Cancel…
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      <OrderTimeline orderId={o.id} currency={o.currency} canResend={may(role, 'resend')} />
      {dialog === 'ship' && <ShipDialog order={o} onClose={() => setDialog(null)} onDone={finish} />}
      {dialog === 'payment' && money && (
        <PaymentDialog order={o} payments={money} onClose={() => setDialog(null)} onDone={finish} />
      )}
      {cancelling && (
        <CancelLine
          order={o}
          line={cancelling}
          onClose={() => setCancelling(null)}
          onDone={(message) => {
            setCancelling(null);
            setDone(message);
          }}
        />
      )}
    </>
  );
}

function CancelLine({
  order,
  line,
  onClose,
  onDone,
}: {
  order: Order;
  line: OrderLine;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const max = cancellable(line);
  const [quantity, setQuantity] = useState<number>(max);
  const [reason, setReason] = useState('');
  // One key per request asked for: a double submit is applied once, and a refused request (a stored
  // answer) can be changed and sent again under a new key.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key changes with what is asked
  const key = useMemo(() => crypto.randomUUID(), [quantity, reason]);
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/orders/{id}/cancel', {
          params: { path: { id: order.id }, header: { 'idempotency-key': key } },
          body: {
            lines: [{ lineId: line.id, quantity }],
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(['order', order.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['order', order.id, 'timeline'] });
      void queryClient.invalidateQueries({ queryKey: ['order', order.id, 'payments'] });
      void queryClient.invalidateQueries({ queryKey: ['orders'] });
      void queryClient.invalidateQueries({ queryKey: ['backorders'] });
      void queryClient.invalidateQueries({ queryKey: ['overview'] });
      onDone(`Cancelled ${quantity} unit${quantity === 1 ? '' : 's'} of ${line.sku}.`);
    },
  });
  const valid = Number.isInteger(quantity) && quantity >= 1 && quantity <= max;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (valid) cancel.mutate();
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title={`Cancel units of ${line.sku}`}
      centered
      closeButtonProps={{ 'aria-label': 'Close without cancelling' }}
    >
      <form onSubmit={onSubmit}>
        <Stack>
          <Text size="sm">
            {max} unit{max === 1 ? '' : 's'} of this line can still be cancelled
            {line.allocatedQuantity > 0 ? ' (units ready to ship go to the next shopper in the queue)' : ''}.
          </Text>
          {cancel.isError && <ErrorNotice error={cancel.error} title="Not cancelled" />}
          <NumberInput
            label="Units to cancel"
            min={1}
            max={max}
            allowDecimal={false}
            clampBehavior="strict"
            value={quantity}
            onChange={(v) => setQuantity(typeof v === 'number' ? v : Number.parseInt(v, 10))}
            error={valid ? undefined : `Between 1 and ${max}`}
            data-autofocus
          />
          <Textarea
            label="Reason (optional)"
            description="Kept with the order’s events"
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep the line
            </Button>
            <Button type="submit" color="red" loading={cancel.isPending} disabled={!valid}>
              Cancel {valid ? quantity : ''} unit{quantity === 1 ? '' : 's'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
