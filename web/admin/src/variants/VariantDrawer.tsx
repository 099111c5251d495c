/**
 * One variant: its stock (on hand, allocated, available, waiting) and its backorder policy (mode,
 * limit, message, dates), edited with PATCH /v1/variants/{sku} (only the fields changed); stock
 * changes as an adjustment (a restock, a write-off) or a count (the figure on the shelf).
 */
import {
  Alert,
  Button,
  Drawer,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { formatCount } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { ErrorNotice, Loading } from '../shared/states';
import { PolicyFields, type PolicyForm, policyFormOf, policyPatch } from './PolicyFields';
import {
  type AdjustmentReason,
  adjustStock,
  countStock,
  getLevel,
  getVariant,
  type Level,
  patchVariant,
  REASON_WORDS,
  type Variant,
} from './stock-api';

export function VariantDrawer({ sku, onClose }: { sku: string | null; onClose: () => void }) {
  return (
    <Drawer
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={sku !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={sku ? <Text fw={700}>{sku}</Text> : null}
    >
      {sku && <VariantDetail sku={sku} />}
    </Drawer>
  );
}

function VariantDetail({ sku }: { sku: string }) {
  const variant = useQuery({ queryKey: ['stock', 'variant', sku], queryFn: () => getVariant(sku) });
  const level = useQuery({ queryKey: ['stock', 'level', sku], queryFn: () => getLevel(sku) });
  const [done, setDone] = useState<string | null>(null);
  if (variant.isPending || level.isPending) return <Loading label="Loading the variant…" />;
  if (variant.isError) return <ErrorNotice error={variant.error} onRetry={() => void variant.refetch()} />;
  if (level.isError) return <ErrorNotice error={level.error} onRetry={() => void level.refetch()} />;
  return (
    <Stack gap="lg">
      <Text c="dimmed" size="sm">
        {variant.data.title}
      </Text>
      {done && (
        <Alert
          color="green"
          variant="light"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setDone(null)}
        >
          {done}
        </Alert>
      )}
      <LevelFigures level={level.data} />
      <Group gap="md">
        <AnchorLink to="/backorders" search={{ sku }} size="sm">
          Who is waiting for {sku}
        </AnchorLink>
        <AnchorLink to="/what-if" search={{ sku }} size="sm">
          What if it is restocked?
        </AnchorLink>
      </Group>
      <PolicyEditor variant={variant.data} onDone={setDone} />
      <StockChange sku={sku} level={level.data} onDone={setDone} />
    </Stack>
  );
}

function LevelFigures({ level }: { level: Level }) {
  const figures: [string, ReactNode][] = [
    ['On hand', formatCount(level.onHand)],
    ['Allocated', formatCount(level.allocated)],
    ['Available', formatCount(level.available)],
    ['Waiting', formatCount(level.backordered)],
  ];
  return (
    <SimpleGrid cols={{ base: 2, xs: 4 }} spacing="xs">
      {figures.map(([label, value]) => (
        <Paper key={label} withBorder p="xs">
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text fw={700} size="lg">
            {value}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

function PolicyEditor({ variant, onDone }: { variant: Variant; onDone: (message: string) => void }) {
  const [form, setForm] = useState<PolicyForm>(() => policyFormOf(variant));
  useEffect(() => setForm(policyFormOf(variant)), [variant]);
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => patchVariant(variant.sku, { backorder: policyPatch(form) }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(['stock', 'variant', variant.sku], saved);
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      onDone(`Policy of ${variant.sku} saved. Waiting lines were re-dated where the dates moved.`);
    },
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }
  return (
    <form onSubmit={onSubmit} aria-labelledby="policy-title">
      <Title order={2} size="h4" id="policy-title" mb="xs">
        Backorder policy
      </Title>
      <Stack gap="sm">
        <PolicyFields value={form} onChange={setForm} />
        {save.isError && <ErrorNotice error={save.error} title="The policy was not saved" />}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save policy
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type ChangeKind = 'add' | 'remove' | 'count';

function StockChange({
  sku,
  level,
  onDone,
}: {
  sku: string;
  level: Level;
  onDone: (message: string) => void;
}) {
  const [kind, setKind] = useState<ChangeKind>('add');
  const [quantity, setQuantity] = useState<number | string>('');
  const [reason, setReason] = useState<AdjustmentReason>('restock');
  const [note, setNote] = useState('');
  const queryClient = useQueryClient();
  const units = typeof quantity === 'number' ? quantity : Number.NaN;

  const change = useMutation({
    mutationFn: async () => {
      if (kind === 'count') {
        const [result] = (
          await countStock({ counts: [{ sku, onHand: units }], ...(note ? { reason: note } : {}) })
        ).data;
        return result?.difference === 0
          ? `Count recorded: ${units} on hand, as expected.`
          : `Count recorded: on hand ${result?.previousOnHand} → ${units}.${requeuedWords(result?.requeued.length ?? 0)}`;
      }
      const result = await adjustStock({
        sku,
        quantity: kind === 'add' ? units : -units,
        reason,
        ...(note ? { note } : {}),
      });
      return kind === 'add'
        ? `${units} unit${units === 1 ? '' : 's'} added; ${result.filled.length} waiting line${result.filled.length === 1 ? '' : 's'} received units.`
        : `${units} unit${units === 1 ? '' : 's'} written off.${requeuedWords(result.requeued.length)}`;
    },
    onSuccess: async (message) => {
      setQuantity('');
      setNote('');
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      onDone(message);
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (Number.isInteger(units) && (kind === 'count' ? units >= 0 : units > 0)) change.mutate();
  }

  const label =
    kind === 'count' ? 'Units counted on the shelf' : kind === 'add' ? 'Units to add' : 'Units to write off';
  return (
    <form onSubmit={onSubmit} aria-labelledby="stock-change-title">
      <Title order={2} size="h4" id="stock-change-title" mb="xs">
        Change the stock
      </Title>
      <Stack gap="sm">
        <SegmentedControl
          value={kind}
          onChange={(value) => {
            const next = value as ChangeKind;
            setKind(next);
            setReason(next === 'remove' ? 'damage' : 'restock');
            change.reset();
          }}
          data={[
            { value: 'add', label: 'Add units' },
            { value: 'remove', label: 'Write off' },
            { value: 'count', label: 'Count' },
          ]}
          aria-label="Kind of change"
        />
        <Text size="xs" c="dimmed">
          {kind === 'add'
            ? 'Arriving units go to the waiting orders first, head of the queue first.'
            : kind === 'remove'
              ? `Removes units from the ${level.onHand} on hand. Below the ${level.allocated} allocated, the latest orders wait again, ahead of the queue, and are told.`
              : 'Sets on hand to the figure counted; the difference goes to the ledger with reason “count”.'}
        </Text>
        <Group align="flex-end" grow wrap="wrap">
          <NumberInput
            label={label}
            value={quantity}
            onChange={setQuantity}
            min={kind === 'count' ? 0 : 1}
            allowDecimal={false}
            allowNegative={false}
            required
            miw={160}
          />
          {kind !== 'count' && (
            <NativeSelect
              label="Reason"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value as AdjustmentReason)}
              data={(kind === 'add'
                ? (['restock', 'return', 'other'] as const)
                : (['damage', 'other'] as const)
              ).map((r) => ({ value: r, label: REASON_WORDS[r] }))}
              miw={160}
            />
          )}
        </Group>
        {kind === 'count' ? (
          <TextInput label="Note (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        ) : (
          <Textarea
            label="Note (optional)"
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={1}
          />
        )}
        {change.isError && <ErrorNotice error={change.error} title="The stock did not change" />}
        <Group>
          <Button type="submit" loading={change.isPending} color={kind === 'remove' ? 'red' : undefined}>
            {kind === 'add' ? 'Add units' : kind === 'remove' ? 'Write off units' : 'Record the count'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const requeuedWords = (lines: number) =>
  lines === 0 ? '' : ` ${lines} allocated line${lines === 1 ? '' : 's'} now wait again, ahead of the queue.`;
