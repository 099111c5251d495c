/** The fields of a backorder policy, as a form: mode, limit (none, automatic, a number), message and dates. */
import { Group, NativeSelect, NumberInput, Stack, TextInput } from '@mantine/core';
import { MODE_WORDS, type Mode, type Variant, type VariantPatch } from './stock-api';

export type LimitKind = 'none' | 'auto' | 'units';

export interface PolicyForm {
  mode: Mode;
  limitKind: LimitKind;
  limit: number | string;
  message: string;
  expectedDate: string;
  releaseDate: string;
}

export function policyFormOf(variant: Variant): PolicyForm {
  const { mode, limit, message, expectedDate, releaseDate } = variant.backorder;
  return {
    mode,
    limitKind: limit === null ? 'none' : limit === 'auto' ? 'auto' : 'units',
    limit: typeof limit === 'number' ? limit : '',
    message: message ?? '',
    expectedDate: expectedDate ?? '',
    releaseDate: releaseDate ?? '',
  };
}

export function limitOf(kind: LimitKind, units: number | string): number | 'auto' | null {
  if (kind === 'none') return null;
  if (kind === 'auto') return 'auto';
  return typeof units === 'number' ? units : Number(units);
}

/** The policy as a merge patch of `backorder`: empty texts clear the field. */
export function policyPatch(form: PolicyForm): NonNullable<VariantPatch['backorder']> {
  return {
    mode: form.mode,
    limit: limitOf(form.limitKind, form.limit),
    message: form.message.trim() || null,
    expectedDate: form.expectedDate || null,
    releaseDate: form.mode === 'preorder' ? form.releaseDate || null : null,
  };
}

export const MODE_OPTIONS = (Object.keys(MODE_WORDS) as Mode[]).map((m) => ({
  value: m,
  label: MODE_WORDS[m],
}));
export const LIMIT_OPTIONS: { value: LimitKind; label: string }[] = [
  { value: 'none', label: 'No cap' },
  { value: 'auto', label: 'Automatic (on order + buffer)' },
  { value: 'units', label: 'At most…' },
];

export function PolicyFields({
  value,
  onChange,
}: {
  value: PolicyForm;
  onChange: (next: PolicyForm) => void;
}) {
  const set = <K extends keyof PolicyForm>(key: K, v: PolicyForm[K]) => onChange({ ...value, [key]: v });
  return (
    <Stack gap="sm">
      <Group grow align="flex-end" wrap="wrap">
        <NativeSelect
          label="When out of stock"
          value={value.mode}
          onChange={(e) => set('mode', e.currentTarget.value as Mode)}
          data={MODE_OPTIONS}
          description="Backorder: keep selling, ship when stock returns"
          miw={180}
        />
        <NativeSelect
          label="Waiting units limit"
          value={value.limitKind}
          onChange={(e) => set('limitKind', e.currentTarget.value as LimitKind)}
          data={LIMIT_OPTIONS}
          disabled={value.mode === 'deny'}
          description="Most units that may wait at once"
          miw={180}
        />
      </Group>
      {value.limitKind === 'units' && value.mode !== 'deny' && (
        <NumberInput
          label="Units that may wait"
          value={value.limit}
          onChange={(v) => set('limit', v)}
          min={0}
          allowDecimal={false}
          allowNegative={false}
          required
          maw={220}
        />
      )}
      <TextInput
        label="Message to shoppers (optional)"
        placeholder="Ships in about 3 weeks"
        value={value.message}
        onChange={(e) => set('message', e.currentTarget.value)}
        maxLength={500}
      />
      <Group grow align="flex-end" wrap="wrap">
        <TextInput
          type="date"
          label="Expected restock date"
          description="Dates the waiting beyond open purchase orders"
          value={value.expectedDate}
          onChange={(e) => set('expectedDate', e.currentTarget.value)}
          miw={180}
        />
        {value.mode === 'preorder' && (
          <TextInput
            type="date"
            label="Release date"
            description="Pre-orders ship on or after it"
            value={value.releaseDate}
            onChange={(e) => set('releaseDate', e.currentTarget.value)}
            miw={180}
          />
        )}
      </Group>
    </Stack>
  );
}
