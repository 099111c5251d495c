/**
 * What-if restock: a SKU, a quantity and an arrival date → POST /v1/simulations/restock (nothing is
 * written). Shows who would be filled (from the head of the queue) and whose promise dates would
 * move, old date → new date, with the order and the customer.
 */
import {
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { formatCount, formatDay, today } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice } from '../shared/states';

type Simulation = paths['/v1/simulations/restock']['post']['responses'][200]['content']['application/json'];
type Customer = Simulation['filled'][number]['customer'];

function Who({ customer }: { customer: Customer }) {
  return (
    <>
      <Text size="sm">{customer.name ?? customer.email ?? 'No name given'}</Text>
      {customer.name && customer.email && (
        <Text size="xs" c="dimmed">
          {customer.email}
        </Text>
      )}
    </>
  );
}

function OrderLink({ orderId, number }: { orderId: string; number: string }) {
  return (
    <AnchorLink to="/orders/$orderId" params={{ orderId }} size="sm">
      {number}
    </AnchorLink>
  );
}

function DateMove({ from, to }: { from: string | null; to: string }) {
  const earlier = from === null || to < from;
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" c="dimmed" td={from ? 'line-through' : undefined}>
        {formatDay(from)}
      </Text>
      <Text size="sm" aria-hidden>
        →
      </Text>
      <span className="visually-hidden">becomes</span>
      <Text
        size="sm"
        fw={600}
        c={earlier ? 'var(--mantine-color-green-light-color)' : 'var(--mantine-color-red-light-color)'}
      >
        {formatDay(to)}
      </Text>
    </Group>
  );
}

export function WhatIfPage() {
  const search = useSearch({ from: '/app/what-if' });
  const [sku, setSku] = useState(search.sku ?? '');
  const [quantity, setQuantity] = useState<number | string>(10);
  const [date, setDate] = useState(today());
  const level = useQuery({
    queryKey: ['stock', 'level', search.sku],
    queryFn: () => data(api.GET('/v1/inventory/{sku}', { params: { path: { sku: search.sku! } } })),
    enabled: Boolean(search.sku),
  });
  const run = useMutation({
    mutationFn: () =>
      data(
        api.POST('/v1/simulations/restock', {
          body: { sku: sku.trim(), quantity: Number(quantity), ...(date ? { date } : {}), show: 200 },
        }),
      ),
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (sku.trim() && Number(quantity) > 0) run.mutate();
  }
  const result = run.data;
  const arrivesNow = result ? result.date <= today() : false;

  return (
    <>
      <PageTitle description="Try a restock before you order it: who would be filled, and whose dates would move. Nothing changes.">
        What-if restock
      </PageTitle>
      <form onSubmit={onSubmit} aria-label="Restock to try">
        <Group align="flex-end" gap="sm" mb="lg" wrap="wrap">
          <TextInput
            label="SKU"
            placeholder="e.g. JACKET-RED-M"
            value={sku}
            onChange={(e) => setSku(e.currentTarget.value)}
            required
            w={220}
          />
          <NumberInput
            label="Units arriving"
            value={quantity}
            onChange={setQuantity}
            min={1}
            allowDecimal={false}
            allowNegative={false}
            required
            w={150}
          />
          <TextInput
            type="date"
            label="Arriving on"
            value={date}
            onChange={(e) => setDate(e.currentTarget.value)}
            w={170}
          />
          <Button type="submit" loading={run.isPending}>
            Show what would happen
          </Button>
        </Group>
      </form>
      {search.sku && level.data && !result && (
        <Text size="sm" c="dimmed" mb="md">
          {search.sku} now: {formatCount(level.data.onHand)} on hand, {formatCount(level.data.backordered)}{' '}
          waiting.
        </Text>
      )}

      {run.isError ? (
        <ErrorNotice error={run.error} title="Could not simulate this restock" />
      ) : !result ? (
        <EmptyState title="Pick a SKU, a quantity and a date">
          The result lists the waiting orders the units would reach, head of the queue first, and every
          waiting line whose promised date would change. Open a SKU from Variants and stock or Backorders to
          see its queue first.
        </EmptyState>
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} mb="lg" spacing="sm">
            {(
              [
                ['Units arriving', formatCount(result.quantity)],
                ['Orders filled', formatCount(new Set(result.filled.map((f) => f.orderId)).size)],
                ['Left for the shelf', formatCount(result.putaway)],
                ['Dates that move', formatCount(result.rescheduledCount)],
              ] as const
            ).map(([label, value]) => (
              <Paper key={label} withBorder p="sm" data-figure={label}>
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text fw={700} size="xl">
                  {value}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>

          <Title order={2} size="h4" mb="xs">
            Who would be filled
          </Title>
          {result.filled.length === 0 ? (
            <Text size="sm" c="dimmed" mb="lg">
              Nobody is waiting for {result.sku}: all {formatCount(result.quantity)} units would go to the
              shelf.
            </Text>
          ) : (
            <div className="table-scroll">
              <Table striped verticalSpacing="xs" miw={680} mb="lg" aria-label="Orders that would be filled">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Queue</Table.Th>
                    <Table.Th scope="col">Order</Table.Th>
                    <Table.Th scope="col">Customer</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Units
                    </Table.Th>
                    <Table.Th scope="col">Ships</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {result.filled.map((line) => (
                    <Table.Tr key={line.lineId}>
                      <Table.Td>#{line.position}</Table.Td>
                      <Table.Td>
                        <OrderLink orderId={line.orderId} number={line.number} />
                      </Table.Td>
                      <Table.Td>
                        <Who customer={line.customer} />
                      </Table.Td>
                      <Table.Td ta="right">{line.quantity}</Table.Td>
                      <Table.Td>
                        {arrivesNow ? (
                          <Group gap={6} wrap="nowrap">
                            <Text size="sm" c="dimmed" td="line-through">
                              {formatDay(line.previousEta)}
                            </Text>
                            <Badge color="green" variant="light" size="sm">
                              ready now
                            </Badge>
                          </Group>
                        ) : (
                          <DateMove from={line.previousEta} to={result.date} />
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}

          <Title order={2} size="h4" mb="xs">
            Whose dates would move
          </Title>
          {result.rescheduled.length === 0 ? (
            <Text size="sm" c="dimmed">
              No waiting line would get a new date.
            </Text>
          ) : (
            <>
              <div className="table-scroll">
                <Table striped verticalSpacing="xs" miw={720} aria-label="Dates that would move">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Queue</Table.Th>
                      <Table.Th scope="col">Order</Table.Th>
                      <Table.Th scope="col">Customer</Table.Th>
                      <Table.Th scope="col" ta="right">
                        Units waiting
                      </Table.Th>
                      <Table.Th scope="col">Old date → new date</Table.Th>
                      <Table.Th scope="col">Latest likely</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {result.rescheduled.map((line) => (
                      <Table.Tr key={line.lineId}>
                        <Table.Td>#{line.position}</Table.Td>
                        <Table.Td>
                          <OrderLink orderId={line.orderId} number={line.number} />
                        </Table.Td>
                        <Table.Td>
                          <Who customer={line.customer} />
                        </Table.Td>
                        <Table.Td ta="right">{line.waitingQuantity}</Table.Td>
                        <Table.Td>
                          {line.eta ? <DateMove from={line.previousEta} to={line.eta} /> : '—'}
                        </Table.Td>
                        <Table.Td>{formatDay(line.etaLatest)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
              {result.rescheduledCount > result.rescheduled.length && (
                <Text size="sm" c="dimmed" mt="xs">
                  The first {result.rescheduled.length} of {formatCount(result.rescheduledCount)} lines whose
                  date would move.
                </Text>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}
