/**
 * Suppliers and purchase orders: the purchase orders (newest first, by status) with their expected
 * dates and what is still to come; a new purchase order; the suppliers with their lead times.
 */
import { Badge, Button, Group, NativeSelect, Table, Tabs, Text } from '@mantine/core';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { formatCount, formatDay, today } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { NewPurchaseOrderDialog } from './NewPurchaseOrderDialog';
import { SuppliersPanel } from './SuppliersPanel';
import { listPurchaseOrders, type PurchaseOrderStatus, STATUS_WORDS, suppliersQuery } from './supply-api';

const PAGE = 50;

export function PurchaseOrdersPage() {
  const search = useSearch({ from: '/app/purchase-orders' });
  const navigate = useNavigate({ from: '/purchase-orders' });
  const [creating, setCreating] = useState(false);
  const tab = search.tab ?? 'orders';

  return (
    <>
      <PageTitle
        description="What you have ordered, when it arrives, and what each delivery fills."
        actions={<Button onClick={() => setCreating(true)}>New purchase order</Button>}
      >
        Suppliers and purchase orders
      </PageTitle>
      <Tabs
        value={tab}
        onChange={(value) =>
          void navigate({ search: value === 'suppliers' ? { tab: 'suppliers' as const } : {} })
        }
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="orders">Purchase orders</Tabs.Tab>
          <Tabs.Tab value="suppliers">Suppliers</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="orders">
          <PurchaseOrderList status={search.status} onNew={() => setCreating(true)} />
        </Tabs.Panel>
        <Tabs.Panel value="suppliers">
          <SuppliersPanel />
        </Tabs.Panel>
      </Tabs>
      <NewPurchaseOrderDialog opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function PurchaseOrderList({ status, onNew }: { status?: PurchaseOrderStatus; onNew: () => void }) {
  const navigate = useNavigate({ from: '/purchase-orders' });
  const suppliers = useQuery(suppliersQuery);
  const orders = useInfiniteQuery({
    queryKey: ['supply', 'purchase-orders', { status: status ?? null }],
    queryFn: ({ pageParam }) =>
      listPurchaseOrders({
        limit: PAGE,
        ...(status ? { status } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
  const names = useMemo(() => new Map((suppliers.data ?? []).map((s) => [s.id, s.name])), [suppliers.data]);
  const rows = orders.data?.pages.flatMap((p) => p.data) ?? [];
  const day = today();

  return (
    <>
      <Group mb="md">
        <NativeSelect
          label="Status"
          value={status ?? ''}
          onChange={(e) => {
            const value = (e.currentTarget.value || undefined) as PurchaseOrderStatus | undefined;
            void navigate({ search: { ...(value ? { status: value } : {}) } });
          }}
          data={[
            { value: '', label: 'Every status' },
            ...Object.entries(STATUS_WORDS).map(([value, { label }]) => ({ value, label })),
          ]}
          w={200}
        />
      </Group>
      {orders.isPending ? (
        <Loading label="Loading purchase orders…" />
      ) : orders.isError ? (
        <ErrorNotice error={orders.error} onRetry={() => void orders.refetch()} />
      ) : rows.length === 0 ? (
        status ? (
          <EmptyState title={`No ${STATUS_WORDS[status].label.toLowerCase()} purchase orders`}>
            Choose another status, or every status, to see the others.
          </EmptyState>
        ) : (
          <EmptyState
            title="No purchase orders yet"
            action={<Button onClick={onNew}>New purchase order</Button>}
          >
            Record what you order from your suppliers: the units on the way date the waiting orders, and
            receiving a delivery sends its units straight to them. Add a supplier first under Suppliers.
          </EmptyState>
        )
      ) : (
        <>
          <div className="table-scroll">
            <Table striped highlightOnHover verticalSpacing="xs" miw={820} aria-label="Purchase orders">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Purchase order</Table.Th>
                  <Table.Th scope="col">Supplier</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Expected</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Units to come
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Received
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((po) => {
                  const open = po.lines.reduce((sum, l) => sum + l.openQuantity, 0);
                  const received = po.lines.reduce((sum, l) => sum + l.receivedQuantity, 0);
                  const late =
                    (po.status === 'ordered' || po.status === 'partially_received') && po.expectedDate < day;
                  return (
                    <Table.Tr key={po.id} data-po={po.reference ?? po.id}>
                      <Table.Td>
                        <AnchorLink
                          to="/purchase-orders/$purchaseOrderId"
                          params={{ purchaseOrderId: po.id }}
                          size="sm"
                          fw={600}
                        >
                          {po.reference ?? po.id}
                        </AnchorLink>
                        <Text size="xs" c="dimmed">
                          {po.lines.length} SKU{po.lines.length === 1 ? '' : 's'}:{' '}
                          {po.lines
                            .slice(0, 3)
                            .map((l) => l.sku)
                            .join(', ')}
                          {po.lines.length > 3 ? '…' : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>{names.get(po.supplierId) ?? po.supplierId}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={STATUS_WORDS[po.status].color} size="sm">
                          {STATUS_WORDS[po.status].label}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Text size="sm">{formatDay(po.expectedDate)}</Text>
                          {late && (
                            <Badge color="red" variant="light" size="xs">
                              late
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right">{formatCount(open)}</Table.Td>
                      <Table.Td ta="right">{formatCount(received)}</Table.Td>
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
              Load more
            </Button>
          )}
        </>
      )}
    </>
  );
}
