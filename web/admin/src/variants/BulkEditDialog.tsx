/**
 * Bulk edit: set the mode and/or the limit of every selected variant at once. The variants are sent
 * whole through POST /v1/variants/batch (all or nothing), each with only these fields changed.
 */
import { Button, Group, Modal, NativeSelect, NumberInput, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../shared/states';
import { LIMIT_OPTIONS, type LimitKind, limitOf, MODE_OPTIONS } from './PolicyFields';
import { asBatchItem, type Mode, putVariants, type Variant } from './stock-api';

const KEEP = 'keep';

export function BulkEditDialog({
  variants,
  opened,
  onClose,
  onDone,
}: {
  variants: Variant[];
  opened: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [mode, setMode] = useState<Mode | typeof KEEP>(KEEP);
  const [limitKind, setLimitKind] = useState<LimitKind | typeof KEEP>(KEEP);
  const [limit, setLimit] = useState<number | string>('');
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () =>
      putVariants(
        variants.map((variant) => {
          const item = asBatchItem(variant);
          return {
            ...item,
            backorder: {
              ...item.backorder,
              ...(mode !== KEEP ? { mode } : {}),
              ...(limitKind !== KEEP ? { limit: limitOf(limitKind, limit) } : {}),
            },
          };
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
      onDone(`${variants.length} variant${variants.length === 1 ? '' : 's'} updated.`);
      setMode(KEEP);
      setLimitKind(KEEP);
      setLimit('');
    },
  });
  const nothing = mode === KEEP && limitKind === KEEP;
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!nothing) save.mutate();
  }
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={`Edit ${variants.length} variants`}
    >
      <form onSubmit={onSubmit}>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {variants
              .slice(0, 6)
              .map((v) => v.sku)
              .join(', ')}
            {variants.length > 6 ? ` and ${variants.length - 6} more` : ''}. Fields left on “Keep” do not
            change; all variants are saved together, or none.
          </Text>
          <NativeSelect
            label="When out of stock"
            value={mode}
            onChange={(e) => setMode(e.currentTarget.value as Mode | typeof KEEP)}
            data={[{ value: KEEP, label: 'Keep each variant’s mode' }, ...MODE_OPTIONS]}
          />
          <NativeSelect
            label="Waiting units limit"
            value={limitKind}
            onChange={(e) => setLimitKind(e.currentTarget.value as LimitKind | typeof KEEP)}
            data={[{ value: KEEP, label: 'Keep each variant’s limit' }, ...LIMIT_OPTIONS]}
          />
          {limitKind === 'units' && (
            <NumberInput
              label="Units that may wait"
              value={limit}
              onChange={setLimit}
              min={0}
              allowDecimal={false}
              allowNegative={false}
              required
            />
          )}
          {save.isError && <ErrorNotice error={save.error} title="No variant was changed" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={nothing} loading={save.isPending}>
              Apply to {variants.length} variants
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
