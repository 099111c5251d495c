/**
 * The confirm dialog of a bulk action, then each order's outcome (done, or why not) as it comes.
 */
import { Button, Group, List, Modal, Stack, Text, Textarea, ThemeIcon } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Backorder } from '../api/types';
import { byOrder, cancelWaiting, eachLimited, type Outcome, resendLatest } from './bulk';

export type BulkAction = 'cancel' | 'resend';

export function BulkDialog({
  action,
  lines: selection,
  onClose,
}: {
  action: BulkAction;
  lines: Backorder[];
  onClose: (changed: boolean) => void;
}) {
  // The selection as it was when the dialog opened (the list refreshes as orders are cancelled).
  const [lines] = useState(selection);
  const groups = byOrder(lines);
  const units = lines.reduce((n, l) => n + l.backorderedQuantity, 0);
  const [reason, setReason] = useState('');
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [running, setRunning] = useState(false);
  const queryClient = useQueryClient();
  const finished = outcomes !== null && !running;
  const failed = outcomes?.filter((o) => !o.ok) ?? [];

  async function run() {
    setRunning(true);
    setOutcomes([]);
    const add = (o: Outcome) => setOutcomes((list) => [...(list ?? []), o]);
    if (action === 'cancel') await eachLimited(groups, 4, (g) => cancelWaiting(g, reason.trim()), add);
    else
      await eachLimited(
        groups.map((g) => g.orderId),
        4,
        resendLatest,
        add,
      );
    setRunning(false);
    for (const key of ['backorders', 'orders', 'order', 'overview']) {
      void queryClient.invalidateQueries({ queryKey: [key] });
    }
  }

  const orders = `${groups.length} order${groups.length === 1 ? '' : 's'}`;
  const title =
    action === 'cancel' ? `Cancel ${units} waiting unit${units === 1 ? '' : 's'}?` : `Resend to ${orders}?`;
  return (
    <Modal
      opened
      onClose={() => onClose(outcomes !== null)}
      title={title}
      centered
      closeButtonProps={{ 'aria-label': 'Close this dialog' }}
      size="lg"
    >
      <Stack>
        {outcomes === null ? (
          <>
            {action === 'cancel' ? (
              <>
                <Text size="sm">
                  The waiting units of {lines.length} selected line{lines.length === 1 ? '' : 's'} in {orders}{' '}
                  are cancelled; units already ready to ship stay on their orders. Each shopper is told.
                </Text>
                <Text size="sm" fw={600}>
                  Where Backfill manages this store’s payments, money taken for these units is refunded
                  automatically, with no fee. Otherwise refund them on your platform.
                </Text>
                <Textarea
                  label="Reason (optional)"
                  description="Kept with each order’s events"
                  maxLength={500}
                  value={reason}
                  onChange={(e) => setReason(e.currentTarget.value)}
                />
              </>
            ) : (
              <Text size="sm">
                The latest message of each of the {orders} (email, text or webhook) is sent again, as it was
                rendered. Orders with no message yet are skipped and listed.
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => onClose(false)} data-autofocus>
                Go back
              </Button>
              <Button color={action === 'cancel' ? 'red' : 'blue'} onClick={() => void run()}>
                {action === 'cancel'
                  ? `Cancel ${units} unit${units === 1 ? '' : 's'}`
                  : `Resend ${groups.length}`}
              </Button>
            </Group>
          </>
        ) : (
          <>
            <Text size="sm" role="status" aria-live="polite">
              {running
                ? `Working… ${outcomes.length} of ${groups.length} done`
                : `${outcomes.length - failed.length} of ${groups.length} done${failed.length ? `, ${failed.length} failed` : ''}.`}
            </Text>
            <List spacing={4} size="sm" aria-label="Results per order" listStyleType="none">
              {outcomes.map((o) => (
                <List.Item
                  key={o.orderId}
                  data-outcome={o.ok ? 'ok' : 'failed'}
                  icon={
                    <ThemeIcon size={18} radius="xl" color={o.ok ? 'green' : 'red'} aria-hidden>
                      {o.ok ? '✓' : '!'}
                    </ThemeIcon>
                  }
                >
                  <Text span size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                    {o.orderId}
                  </Text>
                  <Text span size="sm">
                    : {o.ok ? o.words : `not done — ${o.words}`}
                  </Text>
                </List.Item>
              ))}
            </List>
            {finished && (
              <Group justify="flex-end">
                <Button onClick={() => onClose(true)}>Close</Button>
              </Group>
            )}
          </>
        )}
      </Stack>
    </Modal>
  );
}
