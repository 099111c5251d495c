/**
 * Orders and customers: find a shopper's orders by email (GET /v1/orders?email=, exact, ignoring
 * case); without a search, the newest orders.
 */
import { Badge, Button, Group, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { api, data } from '../api/client';
import { formatCount, formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { StatusBadge } from './StatusBadge';

const PAGE = 50;

export function OrdersPage() {
  const { email } = useSearch({ from: '/app/orders' });
  const navigate = useNavigate({ from: '/orders' });
  const [draft, setDraft] = useState(email ?? '');
  useEffect(() => setDraft(email ?? ''), [email]);

  const orders = useInfiniteQuery({
    queryKey: ['orders', { email: email ?? null }],
    queryFn: ({ pageParam }) =>
      data(
        api.GET('/v1/orders', {
          params: {
            query: { limit: PAGE, ...(email ? { email } : {}), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });

  function onSearch(event: FormEvent) {
    event.preventDefault();
    const value = draft.trim();
    void navigate({ search: value ? { email: value } : {} });
  }

  const rows = orders.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <>
      <PageTitle description="Find a shopper’s orders by their email address, then open an order to see its lines and dates.">
        Orders and customers
      </PageTitle>
      <form onSubmit={onSearch} aria-label="Orders by email">
        <Group align="flex-end" gap="sm" mb="lg" wrap="wrap">
          <TextInput
            label="Customer email"
            type="email"
            placeholder="ada@example.com"
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            style={{ flex: '1 1 240px', maxWidth: 420 }}
          />
          <Button type="submit">Search</Button>
          {email && (
            <Button variant="subtle" onClick={() => void navigate({ search: {} })}>
              Show all orders
            </Button>
          )}
        </Group>
      </form>

      {orders.isPending ? (
        <Loading label="Loading orders…" />
      ) : orders.isError ? (
        <ErrorNotice error={orders.error} onRetry={() => void orders.refetch()} />
      ) : rows.length === 0 ? (
        email ? (
          <EmptyState title={`No orders for ${email}`}>
            Check the spelling: the search matches the whole address (capitals do not matter). A shopper who
            ordered as a guest with another address shows under that one.
          </EmptyState>
        ) : (
          <EmptyState title="No orders yet">
            Orders arrive from your shop through the API (POST /v1/orders) or an integration. Once one is
            placed, it shows here.
          </EmptyState>
        )
      ) : (
        <>
          <Text size="sm" c="dimmed" mb="xs" aria-live="polite">
            {email
              ? `${formatCount(rows.length)}${orders.hasNextPage ? '+' : ''} order${rows.length === 1 ? '' : 's'} for ${email}`
              : 'Newest orders first'}
          </Text>
          <div className="table-scroll">
            <Table striped highlightOnHover verticalSpacing="xs" miw={640}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Order</Table.Th>
                  <Table.Th scope="col">Customer</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Waiting units</Table.Th>
                  <Table.Th scope="col">Placed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((order) => {
                  const waiting = order.lines.reduce((n, l) => n + l.backorderedQuantity, 0);
                  return (
                    <Table.Tr key={order.id}>
                      <Table.Td>
                        <AnchorLink to="/orders/$orderId" params={{ orderId: order.id }} fw={600}>
                          {order.number}
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{order.customer.name ?? order.customer.email ?? '—'}</Text>
                        {order.customer.name && order.customer.email && (
                          <Text size="xs" c="dimmed">
                            {order.customer.email}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={order.status} />
                      </Table.Td>
                      <Table.Td>
                        {waiting > 0 ? (
                          <Badge color="orange" variant="light">
                            {waiting}
                          </Badge>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>{formatTime(order.createdAt)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
          {orders.hasNextPage && (
            <Button
              mt="md"
              variant="default"
              loading={orders.isFetchingNextPage}
              onClick={() => void orders.fetchNextPage()}
            >
              Show more orders
            </Button>
          )}
        </>
      )}
    </>
  );
}
