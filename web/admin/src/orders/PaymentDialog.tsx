/**
 * Record money the store took outside Backfill (POST /v1/orders/{id}/payments, provider
 * `manual`): booked against what is due now, line by line; more than is due is refused.
 */
import { Button, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { Order } from '../api/types';
import { formatMoney } from '../shared/format';
import { ErrorNotice } from '../shared/states';
import type { OrderPayments } from './api';

/** Minor units per major unit of the currency (cents per dollar). */
function minorPerMajor(currency: string): number {
  try {
    const digits = new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
    return 10 ** (digits ?? 2);
  } catch {
    return 100;
  }
}

export function PaymentDialog({
  order,
  payments,
  onClose,
  onDone,
}: {
  order: Order;
  payments: OrderPayments;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const factor = minorPerMajor(order.currency);
  const [amount, setAmount] = useState<number>(payments.due / factor);
  const [reference, setReference] = useState('');
  const [key] = useState(() => crypto.randomUUID());
  const queryClient = useQueryClient();
  const minor = Math.round(amount * factor);
  const valid = Number.isFinite(amount) && minor >= 1 && minor <= payments.due;

  const record = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/orders/{id}/payments', {
          params: { path: { id: order.id }, header: { 'idempotency-key': key } },
          body: { amount: minor, ...(reference.trim() ? { reference: reference.trim() } : {}) },
        }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(['order', order.id, 'payments'], updated);
      void queryClient.invalidateQueries({ queryKey: ['order', order.id] });
      void queryClient.invalidateQueries({ queryKey: ['overview'] });
      onDone(`Recorded a payment of ${formatMoney(minor, order.currency)}.`);
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (valid) record.mutate();
  }

  return (
    <Modal
      opened
      onClose={onClose}
      title="Record a payment"
      centered
      closeButtonProps={{ 'aria-label': 'Close without recording' }}
    >
      <form onSubmit={onSubmit}>
        <Stack>
          <Text size="sm">
            Money your shop took itself (at the till, by bank transfer, on your platform). It is booked
            against what is due now: {formatMoney(payments.due, order.currency)}.
          </Text>
          {record.isError && <ErrorNotice error={record.error} title="Not recorded" />}
          <NumberInput
            label={`Amount (${order.currency})`}
            min={0}
            max={payments.due / factor}
            decimalScale={Math.log10(factor)}
            value={amount}
            onChange={(v) => setAmount(typeof v === 'number' ? v : Number.parseFloat(v))}
            error={
              valid
                ? undefined
                : `Between ${formatMoney(1, order.currency)} and ${formatMoney(payments.due, order.currency)}`
            }
            data-autofocus
          />
          <TextInput
            label="Reference (optional)"
            description="Your platform’s payment id or a receipt number"
            maxLength={255}
            value={reference}
            onChange={(e) => setReference(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Not now
            </Button>
            <Button type="submit" loading={record.isPending} disabled={!valid}>
              Record {valid ? formatMoney(minor, order.currency) : 'payment'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
