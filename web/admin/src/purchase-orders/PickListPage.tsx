/**
 * The dock's cross-dock pick list of one delivery (GET /v1/receipts/{id}/pick-list): for each
 * waiting order the delivery filled, which units go into its parcel; then what goes to the shelf.
 * Printed as it is (print.css: no navigation, a plain readable table, one order never split).
 */
import { Button, Group, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { formatCount, formatDay } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { getPickList } from './supply-api';
import './print.css';

export function PickListPage() {
  const { receiptId } = useParams({ from: '/app/purchase-orders/receipts/$receiptId' });
  const list = useQuery({
    queryKey: ['supply', 'pick-list', receiptId],
    queryFn: () => getPickList(receiptId),
  });
  if (list.isPending) return <Loading label="Loading the pick list…" />;
  if (list.isError)
    return (
      <>
        <PageTitle>Pick list</PageTitle>
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      </>
    );
  const p = list.data;
  const po = p.reference ?? p.purchaseOrderId;
  return (
    <div className="pick-list">
      <AnchorLink
        to="/purchase-orders/$purchaseOrderId"
        params={{ purchaseOrderId: p.purchaseOrderId }}
        size="sm"
        className="no-print"
      >
        ← Purchase order {po}
      </AnchorLink>
      <PageTitle
        description={`Purchase order ${po} · ${p.supplier.name ?? 'supplier'} · received ${formatDay(p.receivedOn)}`}
        actions={
          <Group gap="xs" className="no-print">
            <Button variant="default" component="a" href={`/v1/receipts/${p.receiptId}?format=csv`} download>
              Download CSV
            </Button>
            <Button onClick={() => window.print()}>Print</Button>
          </Group>
        }
      >
        Cross-dock pick list
      </PageTitle>
      <SimpleGrid cols={{ base: 3 }} spacing="sm" mb="lg" className="pick-figures">
        {(
          [
            ['Orders to pack', p.orders.length],
            ['Units to orders', p.crossDockUnits],
            ['Units to the shelf', p.shelfUnits],
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

      <Title order={2} size="h4" mb="xs" id="orders-title">
        Into waiting orders
      </Title>
      {p.orders.length === 0 ? (
        <EmptyState title="No order was waiting for these units">
          Everything in this delivery goes to the shelf (below).
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <Table
            withTableBorder
            withColumnBorders
            verticalSpacing="xs"
            miw={600}
            mb="lg"
            aria-labelledby="orders-title"
            className="pick-table"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Order</Table.Th>
                <Table.Th scope="col">Customer</Table.Th>
                <Table.Th scope="col">SKU</Table.Th>
                <Table.Th scope="col" ta="right">
                  Units
                </Table.Th>
                <Table.Th scope="col" className="pick-check">
                  Picked
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            {p.orders.map((order) => (
              <Table.Tbody key={order.orderId} className="pick-order" data-order={order.number}>
                {order.lines.map((line, i) => (
                  <Table.Tr key={line.lineId}>
                    {i === 0 && (
                      <>
                        <Table.Td rowSpan={order.lines.length} fw={700}>
                          {order.number}
                        </Table.Td>
                        <Table.Td rowSpan={order.lines.length}>
                          <Text size="sm">{order.customer.name ?? order.customer.email ?? '—'}</Text>
                          {order.customer.name && order.customer.email && (
                            <Text size="xs" c="dimmed">
                              {order.customer.email}
                            </Text>
                          )}
                        </Table.Td>
                      </>
                    )}
                    <Table.Td ff="monospace">{line.sku}</Table.Td>
                    <Table.Td ta="right" fw={700}>
                      {line.quantity}
                    </Table.Td>
                    <Table.Td className="pick-check">
                      <span className="pick-box" aria-hidden />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            ))}
          </Table>
        </div>
      )}

      <Title order={2} size="h4" mb="xs" id="shelf-title">
        To the shelf
      </Title>
      {p.shelf.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing: every unit goes to a waiting order.
        </Text>
      ) : (
        <div className="table-scroll">
          <Table
            withTableBorder
            withColumnBorders
            verticalSpacing="xs"
            miw={320}
            aria-labelledby="shelf-title"
            className="pick-table"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">SKU</Table.Th>
                <Table.Th scope="col" ta="right">
                  Units
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.shelf.map((line) => (
                <Table.Tr key={line.sku}>
                  <Table.Td ff="monospace">{line.sku}</Table.Td>
                  <Table.Td ta="right" fw={700}>
                    {line.quantity}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </div>
  );
}
