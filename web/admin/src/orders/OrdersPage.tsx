/**
 * Orders and customers: find a shopper's orders by email (exact, ignoring case), by the start of
 * their name (ignoring case) or by your platform's order id (GET /v1/orders?email= | name= |
 * externalId=); without a search, the newest orders.
 */
import { Badge, Button, Group, NativeSelect, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useState } from 'react';
import { api, data } from '../api/client';
import type { OrdersSearch } from '../router';
import { formatCount, formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { StatusBadge } from './StatusBadge';

const PAGE = 50;

type SearchBy = 'email' | 'name' | 'externalId';
const SEARCH_BY: { value: SearchBy; label: string; field: string; placeholder: string; type: string }[] = [
  { value: 'email', label: 'Email', field: 'Customer email', placeholder: 'ada@example.com', type: 'email' },
  { value: 'name', label: 'Name', field: 'Customer name', placeholder: 'Ada Lo…', type: 'text' },
  {
    value: 'externalId',
    label: 'Your order id',
    field: 'Your platform’s order id',
    placeholder: 'shop-1001',
    type: 'text',
  },
];

/** The search in the address (one of the three), as the API's query. */
function activeSearch(search: OrdersSearch): { by: SearchBy; text: string } | null {
  for (const by of ['email', 'name', 'externalId'] as const) {
    const text = search[by];
    if (text) return { by, text };
  }
  return null;
}

function describeSearch(active: { by: SearchBy; text: string }): string {
  if (active.by === 'email') return active.text;
  if (active.by === 'name') return `names starting “${active.text}”`;
  return `order id ${active.text}`;
}

export function OrdersPage() {
  const search = useSearch({ from: '/app/orders' });
  const active = activeSearch(search);
  const navigate = useNavigate({ from: '/orders' });
  const [by, setBy] = useState<SearchBy>(active?.by ?? 'email');
  const [draft, setDraft] = useState(active?.text ?? '');
  const activeBy = active?.by;
  const activeText = active?.text;
  useEffect(() => {
    setDraft(activeText ?? '');
    if (activeBy) setBy(activeBy);
  }, [activeText, activeBy]);
  const field = SEARCH_BY.find((s) => s.value === by)!;

  const orders = useInfiniteQuery({
    queryKey: ['orders', active],
    queryFn: ({ pageParam }) =>
      data(
        api.GET('/v1/orders', {
          params: {
            query: {
              limit: PAGE,
              ...(active ? { [active.by]: active.text } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
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
    void navigate({ search: value ? { [by]: value } : {} });
  }

  const rows = orders.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <>
      <PageTitle description="Find a shopper’s orders by email, name or your platform’s order id, then open an order to see its lines, dates and everything that happened.">
        Orders and customers
      </PageTitle>
      <form onSubmit={onSearch} aria-label="Search orders">
        <Group align="flex-end" gap="sm" mb="lg" wrap="wrap">
          <NativeSelect
            label="Search by"
            data={SEARCH_BY.map(({ value, label }) => ({ value, label }))}
            value={by}
            onChange={(e) => setBy(e.currentTarget.value as SearchBy)}
            w={160}
          />
          <TextInput
            label={field.field}
            type={field.type}
            placeholder={field.placeholder}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            style={{ flex: '1 1 220px', maxWidth: 420 }}
          />
          <Button type="submit">Search</Button>
          {active && (
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
        active ? (
          <EmptyState title={`No orders for ${describeSearch(active)}`}>
            {active.by === 'email'
              ? 'Check the spelling: the search matches the whole address (capitals do not matter). A shopper who ordered as a guest with another address shows under that one.'
              : active.by === 'name'
                ? 'The name is matched from its start as the shopper wrote it (capitals do not matter): try the first name, or search by email.'
                : 'The id must match exactly, as your platform shows it (capitals matter).'}
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
            {active
              ? `${formatCount(rows.length)}${orders.hasNextPage ? '+' : ''} order${rows.length === 1 ? '' : 's'} for ${describeSearch(active)}`
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
