/**
 * Everything that happened to an order, oldest first (GET /v1/orders/{id}/timeline): events in
 * words, and each message as the shopper got it (subject and body), with a resend button.
 */
import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatTime } from '../shared/format';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { replayMessage, type TimelineEntry, timelineQuery } from './api';
import { eventWords, messageKindWords } from './timelineWords';

const LIST = { listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 12 } as const;
const ITEM = {
  borderLeft: '3px solid var(--mantine-color-gray-3)',
  paddingLeft: 12,
  minWidth: 0,
} as const;

const STATE_COLOR: Record<string, string> = {
  sent: 'green',
  failed: 'red',
  queued: 'gray',
  sending: 'blue',
  suppressed: 'gray',
};

export function OrderTimeline({
  orderId,
  currency,
  canResend,
}: {
  orderId: string;
  currency: string;
  canResend: boolean;
}) {
  const timeline = useQuery(timelineQuery(orderId));
  return (
    <section aria-labelledby="timeline-heading">
      <Title order={2} size="h4" mb="xs" mt="xl" id="timeline-heading">
        Timeline
      </Title>
      {timeline.isPending ? (
        <Loading label="Loading what happened…" />
      ) : timeline.isError ? (
        <ErrorNotice error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : timeline.data.data.length === 0 ? (
        <EmptyState title="Nothing recorded yet">
          Events and messages about this order appear here as they happen.
        </EmptyState>
      ) : (
        <>
          {timeline.data.truncated && (
            <Text size="sm" c="dimmed" mb="xs">
              The oldest 500 events and messages are shown.
            </Text>
          )}
          <ol aria-label="What happened to this order" style={LIST}>
            {timeline.data.data.map((entry) => (
              <li key={entry.id} data-entry={entry.type} style={ITEM}>
                {entry.kind === 'message' ? (
                  <MessageEntry entry={entry} orderId={orderId} canResend={canResend} />
                ) : (
                  <EventEntry entry={entry} currency={currency} />
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function EventEntry({ entry, currency }: { entry: TimelineEntry; currency: string }) {
  const words = eventWords(entry, currency);
  return (
    <div>
      <Text size="xs" c="dimmed">
        <time dateTime={entry.at}>{formatTime(entry.at)}</time>
      </Text>
      <Text size="sm" fw={600}>
        {words.title}
      </Text>
      {words.detail && (
        <Text size="sm" c="dimmed">
          {words.detail}
        </Text>
      )}
    </div>
  );
}

function MessageEntry({
  entry,
  orderId,
  canResend,
}: {
  entry: TimelineEntry;
  orderId: string;
  canResend: boolean;
}) {
  const message = entry.message!;
  const queryClient = useQueryClient();
  const [done, setDone] = useState(false);
  const resend = useMutation({
    mutationFn: () => replayMessage(entry.id),
    onSuccess: () => {
      setDone(true);
      void queryClient.invalidateQueries({ queryKey: ['order', orderId, 'timeline'] });
    },
  });
  const inFlight = message.state === 'queued' || message.state === 'sending';
  const channel =
    message.channel === 'sms' ? 'Text message' : message.channel === 'email' ? 'Email' : 'Webhook';
  return (
    <Paper withBorder p="sm" radius="sm">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <div style={{ minWidth: 0, flex: '1 1 220px' }}>
          <Text size="xs" c="dimmed">
            <time dateTime={entry.at}>{formatTime(entry.at)}</time>
          </Text>
          <Text size="sm" fw={600}>
            {channel}: {messageKindWords(message.kind)}{' '}
            <Badge size="sm" variant="light" color={STATE_COLOR[message.state] ?? 'gray'}>
              {message.state}
            </Badge>
          </Text>
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            To {message.recipient}
            {message.attempts > 1 ? ` · ${message.attempts} attempts` : ''}
          </Text>
          {message.lastError && message.state === 'failed' && (
            <Text size="sm" c="red.9">
              {message.lastError}
            </Text>
          )}
        </div>
        {canResend && (
          <Button
            size="xs"
            variant="light"
            onClick={() => resend.mutate()}
            loading={resend.isPending}
            disabled={inFlight}
            aria-label={`Resend the ${messageKindWords(message.kind).toLowerCase()} to ${message.recipient}`}
          >
            Resend
          </Button>
        )}
      </Group>
      {resend.isError && <ErrorNotice error={resend.error} title="Not resent" />}
      {done && !resend.isError && (
        <Text size="sm" c="teal.9" role="status">
          Queued to send again.
        </Text>
      )}
      {(message.subject || message.body) && (
        <details>
          <summary>
            <Text span size="sm">
              {message.subject ? `“${message.subject}”` : 'Show the message'}
            </Text>
          </summary>
          <Stack gap={4} mt="xs">
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {message.body}
            </Text>
          </Stack>
        </details>
      )}
    </Paper>
  );
}
