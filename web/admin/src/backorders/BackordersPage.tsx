/**
 * Backorders: every waiting line in queue order (GET /v1/backorders), with its place, the units
 * ahead of it, the customer and the dates. Filters: one SKU (asked of the server), a customer or
 * order search and "past its latest date" (on the lines loaded), sort. Bulk actions on the lines
 * selected: cancel their waiting units, resend each order's latest message (see BulkDialog).
 */
import { Badge, Button, Checkbox, Group, NativeSelect, Table, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { listBackorders } from '../api/backorders';
import { formatAge, formatCount, formatDay, today } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { type BulkAction, BulkDialog } from './BulkDialog';
import { type QueueRow, withUnitsAhead } from './queue';

const PAGE = 200;

type Sort = 'queue' | 'eta' | 'waited';
const SORTS: { value: Sort; label: string }[] = [
  { value: 'queue', label: 'Queue order (SKU, position)' },
  { value: 'eta', label: 'Latest likely date, soonest first' },
  { value: 'waited', label: 'Waiting longest first' },
];

function sorted(rows: QueueRow[], sort: Sort): QueueRow[] {
  if (sort === 'queue') return rows;
  const copy = [...rows];
  if (sort === 'eta') copy.sort((a, b) => (a.etaLatest ?? '9999').localeCompare(b.etaLatest ?? '9999'));
  else copy.sort((a, b) => a.placedAt.localeCompare(b.placedAt));
  return copy;
}

export function BackordersPage() {
  const search = useSearch({ from: '/app/backorders' });
  const navigate = useNavigate({ from: '/backorders' });
  const [sku, setSku] = useState(search.sku ?? '');
  const [q, setQ] = useState(search.q ?? '');
  const [sort, setSort] = useState<Sort>('queue');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulk, setBulk] = useState<BulkAction | null>(null);
  useEffect(() => setSku(search.sku ?? ''), [search.sku]);

  const lines = useInfiniteQuery({
    queryKey: ['backorders', { sku: search.sku ?? null }],
    queryFn: ({ pageParam }) =>
      listBackorders({
        limit: PAGE,
        ...(search.sku ? { sku: search.sku } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });

  const all = useMemo(() => withUnitsAhead(lines.data?.pages.flatMap((p) => p.data) ?? []), [lines.data]);
  const now = new Date();
  const day = today(now);
  const needle = (search.q ?? '').trim().toLowerCase();
  const shown = sorted(
    all.filter(
      (row) =>
        (!search.risk || (row.etaLatest !== null && row.etaLatest < day)) &&
        (!needle ||
          [row.customer.email, row.customer.name, row.orderId, row.sku].some((v) =>
            v?.toLowerCase().includes(needle),
          )),
    ),
    sort,
  );

  // Only lines still listed stay selected (a cancelled line leaves the queue).
  const chosen = all.filter((row) => selected.has(row.lineId));
  const shownIds = shown.map((row) => row.lineId);
  const allShownSelected = shownIds.length > 0 && shownIds.every((id) => selected.has(id));
  const toggle = (ids: readonly string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  const chosenOrders = new Set(chosen.map((row) => row.orderId)).size;

  function onFilter(event: FormEvent) {
    event.preventDefault();
    void navigate({
      search: (prev) => ({ ...prev, sku: sku.trim() || undefined, q: q.trim() || undefined }),
    });
  }
  const filtered = Boolean(search.sku || search.q || search.risk);

  return (
    <>
      <PageTitle description="Every line waiting for stock, in the order it will be filled.">
        Backorders
      </PageTitle>
      <form onSubmit={onFilter} aria-label="Filter backorders">
        <Group align="flex-end" gap="sm" mb="sm" wrap="wrap">
          <TextInput
            label="SKU"
            placeholder="All SKUs"
            value={sku}
            onChange={(e) => setSku(e.currentTarget.value)}
            w={180}
          />
          <TextInput
            label="Customer or order"
            placeholder="Email, name or ord_…"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            w={240}
          />
          <Button type="submit">Filter</Button>
          {filtered && (
            <Button variant="subtle" onClick={() => void navigate({ search: {} })}>
              Clear filters
            </Button>
          )}
        </Group>
        <Group gap="lg" mb="md" wrap="wrap" align="flex-end">
          <Checkbox
            label="Only lines past their latest likely date"
            checked={search.risk === 'late'}
            onChange={(e) => {
              const late = e.currentTarget.checked;
              void navigate({ search: (prev) => ({ ...prev, risk: late ? ('late' as const) : undefined }) });
            }}
          />
          <NativeSelect
            label="Sort"
            data={SORTS}
            value={sort}
            onChange={(e) => setSort(e.currentTarget.value as Sort)}
            w={280}
          />
        </Group>
      </form>

      {lines.isPending ? (
        <Loading label="Loading the queues…" />
      ) : lines.isError ? (
        <ErrorNotice error={lines.error} onRetry={() => void lines.refetch()} />
      ) : all.length === 0 ? (
        search.sku ? (
          <EmptyState title={`Nobody waits for ${search.sku}`}>
            Its queue is empty: every order for it has stock. Check the SKU’s spelling (capitals matter), or
            clear the filter to see every queue.
          </EmptyState>
        ) : (
          <EmptyState title="No backorders">
            No order is waiting for stock. When a shopper orders more than you have of a SKU that allows
            backorders or pre-orders, the line waits here in queue order.
          </EmptyState>
        )
      ) : shown.length === 0 ? (
        <EmptyState title="No line matches these filters">
          {formatCount(all.length)} waiting line{all.length === 1 ? '' : 's'} loaded, none matching. Clear the
          filters
          {lines.hasNextPage ? ' or load more lines' : ''} to see them.
        </EmptyState>
      ) : (
        <>
          <Text size="sm" c="dimmed" mb="xs" aria-live="polite">
            {formatCount(shown.length)} of {formatCount(all.length)}
            {lines.hasNextPage ? '+' : ''} waiting lines
            {filtered && lines.hasNextPage ? ' (search and date filters apply to the lines loaded)' : ''}
          </Text>
          <Group gap="sm" mb="xs" wrap="wrap" aria-label="Bulk actions" role="group">
            <Text size="sm" aria-live="polite">
              {chosen.length === 0
                ? 'Select lines to cancel them or resend messages in bulk.'
                : `${formatCount(chosen.length)} line${chosen.length === 1 ? '' : 's'} selected in ${formatCount(chosenOrders)} order${chosenOrders === 1 ? '' : 's'}`}
            </Text>
            {chosen.length > 0 && (
              <>
                <Button size="xs" color="red" variant="light" onClick={() => setBulk('cancel')}>
                  Cancel selected…
                </Button>
                <Button size="xs" variant="light" onClick={() => setBulk('resend')}>
                  Resend latest message…
                </Button>
                <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
                  Clear selection
                </Button>
              </>
            )}
          </Group>
          <div className="table-scroll">
            <Table striped verticalSpacing="xs" miw={900} aria-label="Waiting lines">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">
                    <Group gap="xs" wrap="nowrap">
                      <Checkbox
                        aria-label="Select every line shown"
                        checked={allShownSelected}
                        indeterminate={!allShownSelected && shownIds.some((id) => selected.has(id))}
                        onChange={(e) => toggle(shownIds, e.currentTarget.checked)}
                      />
                      SKU
                    </Group>
                  </Table.Th>
                  <Table.Th scope="col">Position</Table.Th>
                  <Table.Th scope="col">Units ahead</Table.Th>
                  <Table.Th scope="col">Waiting</Table.Th>
                  <Table.Th scope="col">Customer</Table.Th>
                  <Table.Th scope="col">Order</Table.Th>
                  <Table.Th scope="col">Waited</Table.Th>
                  <Table.Th scope="col">Ships by</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((row) => {
                  const late = row.etaLatest !== null && row.etaLatest < day;
                  return (
                    <Table.Tr key={row.lineId} data-line={row.lineId}>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Checkbox
                            aria-label={`Select ${row.sku} for ${row.customer.email ?? row.customer.name ?? row.orderId}`}
                            checked={selected.has(row.lineId)}
                            onChange={(e) => toggle([row.lineId], e.currentTarget.checked)}
                          />
                          <AnchorLink to="/backorders" search={{ sku: row.sku }} size="sm">
                            {row.sku}
                          </AnchorLink>
                        </Group>
                      </Table.Td>
                      <Table.Td>{row.position}</Table.Td>
                      <Table.Td>{row.unitsAhead}</Table.Td>
                      <Table.Td>
                        {row.backorderedQuantity}
                        {row.quantity !== row.backorderedQuantity && (
                          <Text span size="xs" c="dimmed">
                            {' '}
                            of {row.quantity}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{row.customer.name ?? row.customer.email ?? '—'}</Text>
                        {row.customer.name && row.customer.email && (
                          <Text size="xs" c="dimmed">
                            {row.customer.email}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <AnchorLink to="/orders/$orderId" params={{ orderId: row.orderId }} size="sm">
                          Open order
                          <span className="visually-hidden"> {row.orderId}</span>
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td>{formatAge(row.placedAt, now)}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDay(row.eta)}</Text>
                        <Group gap={4} wrap="nowrap">
                          <Text size="xs" c="dimmed">
                            latest {formatDay(row.etaLatest)}
                          </Text>
                          {late && (
                            <Badge size="xs" color="red" variant="light">
                              late
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
          {lines.hasNextPage && (
            <Button
              mt="md"
              variant="default"
              loading={lines.isFetchingNextPage}
              onClick={() => void lines.fetchNextPage()}
            >
              Load {PAGE} more lines
            </Button>
          )}
          {bulk && (
            <BulkDialog
              action={bulk}
              lines={chosen}
              onClose={(changed) => {
                setBulk(null);
                if (changed && bulk === 'cancel') setSelected(new Set());
              }}
            />
          )}
        </>
      )}
    </>
  );
}
