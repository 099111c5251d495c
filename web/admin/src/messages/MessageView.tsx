/**
 * One message as its receiver saw it: an email's HTML in a sandboxed frame (no scripts, no
 * same-origin access: the console's CSP and the sandbox both keep its content inert), or its text;
 * an SMS as text; a webhook's JSON. Then every delivery attempt, and "send again".
 */
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../api/client';
import type { MessageDetail } from '../api/messaging';
import type { Role } from '../api/session';
import { formatTime } from '../shared/format';
import { ErrorNotice, Loading } from '../shared/states';
import { CHANNEL_WORDS, kindWords, STATE_LOOK } from './words';

export const messageQuery = (id: string) => ({
  queryKey: ['message', id],
  queryFn: () => data(api.GET('/v1/messages/{id}', { params: { path: { id } } })),
});

export function StateBadge({ state }: { state: MessageDetail['state'] }) {
  const look = STATE_LOOK[state];
  return (
    <Badge color={look.color} variant="light" style={{ minWidth: 'max-content' }}>
      {look.label}
    </Badge>
  );
}

/** An email's HTML, inert: sandboxed without scripts, forms or same-origin access. */
export function EmailFrame({ html, title }: { html: string; title: string }) {
  return (
    <iframe
      sandbox=""
      srcDoc={html}
      title={title}
      referrerPolicy="no-referrer"
      style={{
        width: '100%',
        height: 480,
        border: '1px solid var(--mantine-color-gray-3)',
        borderRadius: 4,
        background: 'white',
      }}
    />
  );
}

export function TextBody({ text }: { text: string }) {
  return (
    <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontSize: 13 }}>
      {text}
    </Code>
  );
}

function Rendered({ message }: { message: MessageDetail }) {
  const [view, setView] = useState<'html' | 'text'>(message.html ? 'html' : 'text');
  if (message.channel === 'webhook')
    return <TextBody text={JSON.stringify(message.payload ?? {}, null, 2)} />;
  if (message.channel === 'sms')
    return (
      <Text
        p="sm"
        bg="gray.1"
        maw={360}
        style={{ borderRadius: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        data-testid="sms-body"
      >
        {message.body ?? '(no text)'}
      </Text>
    );
  return (
    <Stack gap="xs">
      <Text size="sm">
        <Text span fw={600}>
          Subject:
        </Text>{' '}
        {message.subject ?? '(none)'}
      </Text>
      {message.html && (
        <SegmentedControl
          size="xs"
          value={view}
          onChange={(value) => setView(value as 'html' | 'text')}
          data={[
            { value: 'html', label: 'As the shopper saw it' },
            { value: 'text', label: 'Plain text' },
          ]}
          style={{ alignSelf: 'flex-start' }}
        />
      )}
      {view === 'html' && message.html ? (
        <EmailFrame html={message.html} title={`Email: ${message.subject ?? kindWords(message.kind)}`} />
      ) : (
        <TextBody text={message.body ?? '(no text)'} />
      )}
    </Stack>
  );
}

export function MessageView({ id, role }: { id: string; role: Role }) {
  const queryClient = useQueryClient();
  const message = useQuery({
    ...messageQuery(id),
    // A message on its way is followed until it settles.
    refetchInterval: (q) =>
      q.state.data && ['queued', 'sending'].includes(q.state.data.state) ? 1500 : false,
  });
  const replay = useMutation({
    mutationFn: () => data(api.POST('/v1/messages/{id}/replay', { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['message', id] });
      void queryClient.invalidateQueries({ queryKey: ['messages'] });
    },
  });

  if (message.isPending) return <Loading label="Loading the message…" />;
  if (message.isError) return <ErrorNotice error={message.error} onRetry={() => void message.refetch()} />;
  const m = message.data;
  const onItsWay = m.state === 'queued' || m.state === 'sending';
  return (
    <Stack gap="md">
      <Group gap="xs" wrap="wrap">
        <StateBadge state={m.state} />
        <Text size="sm">
          {kindWords(m.kind)} · {CHANNEL_WORDS[m.channel]} to <strong>{m.recipient}</strong>
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        Created {formatTime(m.createdAt)}
        {m.sentAt ? ` · sent ${formatTime(m.sentAt)}` : ''}
        {m.orderId ? ` · order ${m.orderId}` : ''}
      </Text>
      {m.lastError && (
        <Alert color={m.state === 'failed' ? 'red' : 'yellow'} variant="light" title="Last error">
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {m.lastError}
          </Text>
        </Alert>
      )}
      <Rendered message={m} />
      <div>
        <Title order={3} size="h5" mb="xs">
          Delivery attempts
        </Title>
        {m.deliveryAttempts.length === 0 ? (
          <Text size="sm" c="dimmed">
            {onItsWay ? 'None yet: the message worker sends it within seconds.' : 'None.'}
          </Text>
        ) : (
          <div className="table-scroll">
            <Table verticalSpacing={4} miw={480}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">#</Table.Th>
                  <Table.Th scope="col">Outcome</Table.Th>
                  <Table.Th scope="col">Started</Table.Th>
                  <Table.Th scope="col">Answer</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {m.deliveryAttempts.map((a) => (
                  <Table.Tr key={a.number}>
                    <Table.Td>{a.number}</Table.Td>
                    <Table.Td>{a.status.replace('_', ' ')}</Table.Td>
                    <Table.Td>{formatTime(a.startedAt)}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-word' }}>
                      {[a.responseCode, a.error ?? a.response].filter((x) => x !== null).join(' ') || '—'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </div>
      {replay.isError && <ErrorNotice error={replay.error} title="Not sent again" />}
      {replay.isSuccess && (
        <Alert color="green" variant="light" role="status">
          Queued to be sent again.
        </Alert>
      )}
      {(role === 'owner' || role === 'support') && (
        <Group>
          <Button
            variant="default"
            onClick={() => replay.mutate()}
            loading={replay.isPending}
            disabled={onItsWay || (m.body === null && m.payload === null)}
          >
            {m.channel === 'webhook' ? 'Deliver again' : 'Send again'}
          </Button>
          {onItsWay && (
            <Text size="xs" c="dimmed">
              It is on its way: it can be sent again once it has gone or failed.
            </Text>
          )}
        </Group>
      )}
    </Stack>
  );
}
