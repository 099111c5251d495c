/**
 * Variants and stock: every SKU's level (GET /v1/inventory, filters asked of the server) with its
 * variant's mode and limit; a drawer per variant to edit its policy and change its stock; bulk edit
 * of the selected variants; CSV import (with progress and per-row errors) and export.
 */
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { formatCount } from '../shared/format';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { BulkEditDialog } from './BulkEditDialog';
import { ImportDialog } from './ImportDialog';
import { exportUrl, type LevelFilters, listStock, MODE_WORDS, type Mode, type StockRow } from './stock-api';
import { VariantDrawer } from './VariantDrawer';
import './stock.css';

const PAGE = 100;

const STATUS: Record<StockRow['status'], { label: string; color: string }> = {
  in_stock: { label: 'In stock', color: 'green' },
  backorder: { label: 'Backorder', color: 'orange' },
  preorder: { label: 'Pre-order', color: 'blue' },
  out_of_stock: { label: 'Sold out', color: 'red' },
};

function limitWords(row: StockRow): string {
  const limit = row.variant?.backorder.limit;
  if (row.variant?.backorder.mode === 'deny') return '—';
  if (limit === 'auto') return `auto (${row.backorderLimit ?? '∞'})`;
  return limit === null || limit === undefined ? 'No cap' : formatCount(limit);
}

export function VariantsPage() {
  const search = useSearch({ from: '/app/variants' });
  const navigate = useNavigate({ from: '/variants' });
  const filters: LevelFilters = search;
  const [q, setQ] = useState(search.q ?? '');
  const [lowUnits, setLowUnits] = useState<number | string>(search.low ?? 5);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [bulk, setBulk] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => setQ(search.q ?? ''), [search.q]);

  const stock = useInfiniteQuery({
    queryKey: ['stock', 'list', filters],
    queryFn: ({ pageParam }) => listStock(filters, PAGE, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(() => stock.data?.pages.flatMap((p) => p.rows) ?? [], [stock.data]);
  const chosen = rows.filter((r) => selected.has(r.sku) && r.variant !== null);
  const filtered = Boolean(
    search.q || search.mode || search.waiting !== undefined || search.low !== undefined,
  );

  function onSearch(event: FormEvent) {
    event.preventDefault();
    void navigate({ search: (prev) => ({ ...prev, q: q.trim() || undefined }) });
  }
  function toggle(sku: string, on: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(sku);
      else next.delete(sku);
      return next;
    });
  }
  const allShown = rows.length > 0 && rows.every((r) => selected.has(r.sku));

  return (
    <>
      <PageTitle
        description="Stock levels, each variant’s policy when it runs out, and who is waiting."
        actions={
          <Group gap="xs">
            <Button variant="default" component="a" href={exportUrl(filters)} download="inventory.csv">
              Export CSV
            </Button>
            <Button onClick={() => setImporting(true)}>Import CSV</Button>
          </Group>
        }
      >
        Variants and stock
      </PageTitle>
      {done && (
        <Alert
          color="green"
          variant="light"
          mb="md"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setDone(null)}
        >
          {done}
        </Alert>
      )}
      <form onSubmit={onSearch} aria-label="Filter stock">
        <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
          <TextInput
            label="Search SKUs"
            placeholder="e.g. JACKET"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            w={200}
          />
          <Button type="submit" variant="default">
            Search
          </Button>
          <NativeSelect
            label="Mode"
            value={search.mode ?? ''}
            onChange={(e) => {
              const mode = (e.currentTarget.value || undefined) as Mode | undefined;
              void navigate({ search: (prev) => ({ ...prev, mode }) });
            }}
            data={[
              { value: '', label: 'Every mode' },
              ...Object.entries(MODE_WORDS).map(([value, label]) => ({ value, label })),
            ]}
            w={160}
          />
          <NativeSelect
            label="Waiting"
            value={search.waiting === undefined ? '' : String(search.waiting)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              void navigate({
                search: (prev) => ({ ...prev, waiting: v === '' ? undefined : v === 'true' }),
              });
            }}
            data={[
              { value: '', label: 'Any' },
              { value: 'true', label: 'Someone waiting' },
              { value: 'false', label: 'Nobody waiting' },
            ]}
            w={170}
          />
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <Checkbox
              label="Low stock: at most"
              checked={search.low !== undefined}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                const units = typeof lowUnits === 'number' ? lowUnits : 5;
                void navigate({ search: (prev) => ({ ...prev, low: on ? units : undefined }) });
              }}
              mb={8}
            />
            <NumberInput
              aria-label="Low stock: units available at most"
              value={lowUnits}
              onChange={(v) => {
                setLowUnits(v);
                if (search.low !== undefined && typeof v === 'number')
                  void navigate({ search: (prev) => ({ ...prev, low: v }) });
              }}
              min={0}
              allowDecimal={false}
              allowNegative={false}
              w={80}
            />
            <Text size="sm" mb={8}>
              available
            </Text>
          </Group>
          {filtered && (
            <Button variant="subtle" onClick={() => void navigate({ search: {} })}>
              Clear filters
            </Button>
          )}
        </Group>
      </form>

      {selected.size > 0 && (
        <Group
          className="stock-bulk-bar"
          gap="sm"
          mb="sm"
          p="xs"
          wrap="wrap"
          role="region"
          aria-label="Selected variants"
        >
          <Text size="sm" fw={600}>
            {selected.size} selected
          </Text>
          <Button size="xs" onClick={() => setBulk(true)} disabled={chosen.length === 0}>
            Edit policy of {chosen.length}…
          </Button>
          <Button size="xs" variant="subtle" onClick={() => setSelected(new Set())}>
            Clear selection
          </Button>
        </Group>
      )}

      {stock.isPending ? (
        <Loading label="Loading stock levels…" />
      ) : stock.isError ? (
        <ErrorNotice error={stock.error} onRetry={() => void stock.refetch()} />
      ) : rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No variant matches these filters">
            Change the search or the filters, or clear them to see every variant.
          </EmptyState>
        ) : (
          <EmptyState
            title="No variants yet"
            action={<Button onClick={() => setImporting(true)}>Import variants from a CSV file</Button>}
          >
            Add your variants with their backorder policy: import a CSV file (sku, title, price,
            backorder.mode), or connect your shop platform so they arrive on their own.
          </EmptyState>
        )
      ) : (
        <>
          <Text size="sm" c="dimmed" mb="xs" aria-live="polite">
            {formatCount(rows.length)}
            {stock.hasNextPage ? '+' : ''} variant{rows.length === 1 ? '' : 's'}
          </Text>
          <div className="table-scroll">
            <Table striped highlightOnHover verticalSpacing="xs" miw={960} aria-label="Stock levels">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" w={40}>
                    <Checkbox
                      aria-label="Select every variant shown"
                      checked={allShown}
                      indeterminate={!allShown && selected.size > 0}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setSelected(on ? new Set(rows.map((r) => r.sku)) : new Set());
                      }}
                    />
                  </Table.Th>
                  <Table.Th scope="col">Variant</Table.Th>
                  <Table.Th scope="col">Mode</Table.Th>
                  <Table.Th scope="col">Limit</Table.Th>
                  <Table.Th scope="col" ta="right">
                    On hand
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Allocated
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Available
                  </Table.Th>
                  <Table.Th scope="col" ta="right">
                    Waiting
                  </Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => (
                  <Table.Tr key={row.sku} data-sku={row.sku}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${row.sku}`}
                        checked={selected.has(row.sku)}
                        onChange={(e) => toggle(row.sku, e.currentTarget.checked)}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Button
                        variant="subtle"
                        size="compact-sm"
                        px={4}
                        onClick={() => setOpen(row.sku)}
                        aria-label={`Open ${row.sku}`}
                      >
                        {row.sku}
                      </Button>
                      <Text size="xs" c="dimmed" px={4} lineClamp={1} maw={280}>
                        {row.variant?.title ?? ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>{row.variant ? MODE_WORDS[row.variant.backorder.mode] : '—'}</Table.Td>
                    <Table.Td>{limitWords(row)}</Table.Td>
                    <Table.Td ta="right">{formatCount(row.onHand)}</Table.Td>
                    <Table.Td ta="right">{formatCount(row.allocated)}</Table.Td>
                    <Table.Td ta="right">{formatCount(row.available)}</Table.Td>
                    <Table.Td ta="right" fw={row.backordered > 0 ? 700 : undefined}>
                      {formatCount(row.backordered)}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={STATUS[row.status].color} size="sm">
                        {STATUS[row.status].label}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          {stock.hasNextPage && (
            <Button
              mt="md"
              variant="default"
              loading={stock.isFetchingNextPage}
              onClick={() => void stock.fetchNextPage()}
            >
              Load {PAGE} more
            </Button>
          )}
        </>
      )}
      <VariantDrawer sku={open} onClose={() => setOpen(null)} />
      <ImportDialog opened={importing} onClose={() => setImporting(false)} />
      <BulkEditDialog
        variants={chosen.map((r) => r.variant!)}
        opened={bulk}
        onClose={() => setBulk(false)}
        onDone={(message) => {
          setBulk(false);
          setSelected(new Set());
          setDone(message);
        }}
      />
    </>
  );
}
