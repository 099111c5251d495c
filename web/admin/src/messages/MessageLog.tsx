/**
 * The message log, newest first, with filters (channel, state, recipient). Opening a message shows
 * it as its receiver saw it; messages kept by the built-in outbox are read here, the way Mailpit
 * shows a test mailbox.
 */
import { Alert, Button, Group, Modal, Select, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { api, data } from '../api/client';
import type { Role } from '../api/session';
import type { MessagesSearch } from '../router';
import { formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { MessageView, StateBadge } from './MessageView';
import { CHANNEL_WORDS, kindWords } from './words';

const PAGE = 50;

/** Says so when the store's email or SMS goes to the built-in outbox (owners may read the settings). */
function OutboxNotice() {
  const settings = useQuery({
    queryKey: ['messaging-settings'],
    queryFn: () => data(api.GET('/v1/settings/messaging')),
  });
  const s = settings.data;
  const kept = [
    s?.email?.channel === 'outbox' && 'email',
    s?.sms?.channel === 'outbox' && 'text messages',
  ].filter(Boolean);
  if (kept.length === 0) return null;
  return (
    <Alert color="blue" variant="light" mb="md" title="Built-in outbox">
      Your {kept.join(' and ')} go to the built-in outbox: they are kept here, rendered, and not sent to
      anyone. Open one to read it. To send for real, set up a channel under{' '}
      <AnchorLink to="/messages" search={{ tab: 'channels' }} c="blue.9" underline="always">
        Channels
      </AnchorLink>
      .
    </Alert>
  );
}

export function MessageLog({ role }: { role: Role }) {
  const search = useSearch({ from: '/app/messages' });
  const navigate = useNavigate({ from: '/messages' });
  const [recipient, setRecipient] = useState(search.recipient ?? '');
  useEffect(() => setRecipient(search.recipient ?? ''), [search.recipient]);
  const phone = useMediaQuery('(max-width: 48em)');

  const filters = {
    ...(search.channel ? { channel: search.channel } : {}),
    ...(search.state ? { state: search.state } : {}),
    ...(search.recipient ? { recipient: search.recipient } : {}),
  };
  const messages = useInfiniteQuery({
    queryKey: ['messages', filters],
    queryFn: ({ pageParam }) =>
      data(
        api.GET('/v1/messages', {
          params: { query: { limit: PAGE, ...filters, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });

  const setSearch = (next: Partial<MessagesSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true });
  const open = (id: string | undefined) => void navigate({ search: (prev) => ({ ...prev, message: id }) });

  function onRecipient(event: FormEvent) {
    event.preventDefault();
    const value = recipient.trim();
    setSearch({ recipient: value === '' ? undefined : value.toLowerCase() });
  }

  const rows = messages.data?.pages.flatMap((p) => p.data) ?? [];
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      {role === 'owner' && <OutboxNotice />}
      <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
        <Select
          label="Channel"
          placeholder="Any"
          clearable
          value={search.channel ?? null}
          onChange={(value) => setSearch({ channel: (value ?? undefined) as MessagesSearch['channel'] })}
          data={[
            { value: 'email', label: 'Email' },
            { value: 'sms', label: 'SMS' },
            { value: 'webhook', label: 'Webhook' },
          ]}
          w={150}
        />
        <Select
          label="State"
          placeholder="Any"
          clearable
          value={search.state ?? null}
          onChange={(value) => setSearch({ state: (value ?? undefined) as MessagesSearch['state'] })}
          data={[
            { value: 'queued', label: 'Queued' },
            { value: 'sending', label: 'Sending' },
            { value: 'sent', label: 'Sent' },
            { value: 'failed', label: 'Failed' },
            { value: 'suppressed', label: 'Not sent' },
          ]}
          w={150}
        />
        <form onSubmit={onRecipient} style={{ flex: '1 1 220px', maxWidth: 360 }}>
          <TextInput
            label="Recipient"
            placeholder="ada@example.com, +1555…"
            value={recipient}
            onChange={(e) => setRecipient(e.currentTarget.value)}
          />
        </form>
        {filtered && (
          <Button
            variant="subtle"
            onClick={() => void navigate({ search: (prev) => ({ tab: prev.tab }), replace: true })}
          >
            Clear filters
          </Button>
        )}
      </Group>

      {messages.isPending ? (
        <Loading label="Loading messages…" />
      ) : messages.isError ? (
        <ErrorNotice error={messages.error} onRetry={() => void messages.refetch()} />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No message matches these filters">
            Clear a filter to see more. A recipient matches its whole address (emails in lower case).
          </EmptyState>
        ) : (
          <EmptyState title="No messages yet">
            Messages go out when orders are placed, wait, move or ship, once a channel is set up (or the
            built-in outbox){role === 'owner' ? ' under Channels' : ''}. Webhooks go to the endpoints under
            Webhooks.
          </EmptyState>
        )
      ) : (
        <>
          <div className="table-scroll">
            <Table striped highlightOnHover verticalSpacing="xs" miw={640} aria-label="Messages">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Message</Table.Th>
                  <Table.Th scope="col">To</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Attempts</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((m) => (
                  <Table.Tr key={m.id} data-message={m.id}>
                    <Table.Td>
                      <UnstyledButton
                        onClick={() => open(m.id)}
                        c="blue.8"
                        fw={600}
                        fz="sm"
                        style={{ textDecoration: 'underline' }}
                      >
                        {m.channel === 'email' && m.subject ? m.subject : kindWords(m.kind)}
                      </UnstyledButton>
                      <Text size="xs" c="dimmed">
                        {CHANNEL_WORDS[m.channel]} · {kindWords(m.kind)}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{m.recipient}</Table.Td>
                    <Table.Td>
                      <StateBadge state={m.state} />
                    </Table.Td>
                    <Table.Td>{m.attempts}</Table.Td>
                    <Table.Td>{formatTime(m.createdAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          {messages.hasNextPage && (
            <Button
              mt="md"
              variant="default"
              loading={messages.isFetchingNextPage}
              onClick={() => void messages.fetchNextPage()}
            >
              Show more messages
            </Button>
          )}
        </>
      )}
      <Modal
        closeButtonProps={{ 'aria-label': 'Close the message' }}
        opened={search.message !== undefined}
        onClose={() => open(undefined)}
        title="Message"
        size="xl"
        fullScreen={phone}
      >
        {search.message && <MessageView id={search.message} role={role} />}
      </Modal>
    </>
  );
}
