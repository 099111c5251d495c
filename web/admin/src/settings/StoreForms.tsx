/**
 * The store's own settings (GET/PATCH /v1/settings): what it is (name, currency and time zone are
 * set when it is created), the origins allowed to call the storefront API, the dates, and payments.
 */
import {
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, data } from '../api/client';
import type { StoreSettings, StoreSettingsPatch } from '../api/messaging';
import { ErrorNotice, Loading } from '../shared/states';

const settingsQuery = { queryKey: ['settings'], queryFn: () => data(api.GET('/v1/settings')) };

/** Loads the settings, then gives a form its values (the form keeps its own state once shown). */
function WithSettings({ children }: { children: (settings: StoreSettings) => ReactNode }) {
  const settings = useQuery(settingsQuery);
  if (settings.isPending) return <Loading label="Loading the settings…" />;
  if (settings.isError) return <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />;
  return <>{children(settings.data)}</>;
}

function useSave() {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const mutation = useMutation({
    mutationFn: (body: StoreSettingsPatch) => data(api.PATCH('/v1/settings', { body })),
    onSuccess: (next) => {
      queryClient.setQueryData(settingsQuery.queryKey, next);
      setSaved(true);
    },
    onMutate: () => setSaved(false),
  });
  return { mutation, saved };
}

function SaveRow({ save, label }: { save: ReturnType<typeof useSave>; label: string }) {
  return (
    <>
      {save.mutation.isError && <ErrorNotice error={save.mutation.error} title="Not saved" />}
      {save.saved && (
        <Alert color="green" variant="light" role="status">
          Saved.
        </Alert>
      )}
      <Group>
        <Button type="submit" loading={save.mutation.isPending}>
          {label}
        </Button>
      </Group>
    </>
  );
}

export function StoreSettingsForm() {
  return <WithSettings>{(s) => <StoreForm settings={s} />}</WithSettings>;
}

function StoreForm({ settings }: { settings: StoreSettings }) {
  const [origins, setOrigins] = useState(settings.allowedOrigins.join('\n'));
  const save = useSave();
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutation.mutate({
      allowedOrigins: origins
        .split(/[\s,]+/)
        .map((o) => o.trim())
        .filter(Boolean),
    });
  }
  return (
    <Stack gap="lg" maw={720}>
      <Paper withBorder p="md" radius="md">
        <Table variant="vertical" layout="fixed" aria-label="The store">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={140}>Name</Table.Th>
              <Table.Td>{settings.name}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Store id</Table.Th>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                <code>{settings.storeId}</code>
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Currency</Table.Th>
              <Table.Td>{settings.currency}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Time zone</Table.Th>
              <Table.Td>{settings.timezone}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed" mt="xs">
          Name, currency and time zone are set when the store is created (orders and dates depend on them).
        </Text>
      </Paper>
      <form onSubmit={onSubmit} aria-label="Storefront origins">
        <Stack gap="sm">
          <Textarea
            label="Websites allowed to show availability (storefront origins)"
            description="One per line, e.g. https://shop.example: pages there may call the storefront API from the browser."
            autosize
            minRows={3}
            value={origins}
            onChange={(e) => setOrigins(e.currentTarget.value)}
          />
          <SaveRow save={save} label="Save origins" />
        </Stack>
      </form>
    </Stack>
  );
}

export function DatesSettings() {
  return <WithSettings>{(s) => <DatesForm settings={s} />}</WithSettings>;
}

function DatesForm({ settings }: { settings: StoreSettings }) {
  const [handlingDays, setHandling] = useState<number | string>(settings.handlingDays);
  const [leadTime, setLeadTime] = useState<number | string>(settings.defaultLeadTimeDays);
  const [buffer, setBuffer] = useState<number | string>(settings.autoLimitBuffer);
  const save = useSave();
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutation.mutate({
      handlingDays: Number(handlingDays),
      defaultLeadTimeDays: Number(leadTime),
      autoLimitBuffer: Number(buffer),
    });
  }
  return (
    <form onSubmit={onSubmit} aria-label="Dates">
      <Stack gap="sm" maw={720}>
        <Text size="sm" c="dimmed">
          Every shopper's ship date follows these at once when you save.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput
            label="Handling days"
            description="From units reaching the warehouse to shipping"
            min={0}
            max={60}
            value={handlingDays}
            onChange={setHandling}
          />
          <NumberInput
            label="Default lead time (days)"
            description="For SKUs with no supplier of their own"
            min={0}
            max={365}
            value={leadTime}
            onChange={setLeadTime}
          />
          <NumberInput
            label="Automatic cap buffer (units)"
            description="Units an automatic backorder limit allows beyond what is on order"
            min={0}
            value={buffer}
            onChange={setBuffer}
          />
        </SimpleGrid>
        <SaveRow save={save} label="Save dates" />
      </Stack>
    </form>
  );
}

export function PaymentsSettings() {
  return <WithSettings>{(s) => <PaymentsForm settings={s} />}</WithSettings>;
}

function PaymentsForm({ settings }: { settings: StoreSettings }) {
  const [provider, setProvider] = useState(settings.paymentProvider);
  const [mode, setMode] = useState(settings.paymentMode);
  const [deposit, setDeposit] = useState<number | string>(settings.depositPercent);
  const [grace, setGrace] = useState<number | string>(settings.paymentGraceDays);
  const [authorisation, setAuthorisation] = useState<number | string>(settings.authorisationDays);
  const save = useSave();
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutation.mutate({
      paymentProvider: provider,
      paymentMode: mode,
      depositPercent: Number(deposit),
      paymentGraceDays: Number(grace),
      authorisationDays: Number(authorisation),
    });
  }
  const managed = provider !== 'none';
  return (
    <form onSubmit={onSubmit} aria-label="Payments">
      <Stack gap="sm" maw={720}>
        <Text size="sm" c="dimmed">
          New orders are paid on these terms; each line keeps the terms it was sold on.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Who takes the money"
            allowDeselect={false}
            value={provider}
            onChange={(v) => v && setProvider(v as StoreSettings['paymentProvider'])}
            data={[
              { value: 'none', label: 'Not Backfill (no payment rules)' },
              { value: 'manual', label: 'Your platform, reported to Backfill' },
              { value: 'stripe', label: 'Stripe, through Backfill' },
            ]}
          />
          <Select
            label="When shoppers pay"
            allowDeselect={false}
            disabled={!managed}
            value={mode}
            onChange={(v) => v && setMode(v as StoreSettings['paymentMode'])}
            data={[
              { value: 'upfront', label: 'In full when ordering' },
              { value: 'on_ship', label: 'When the units are ready to ship' },
              { value: 'deposit', label: 'A deposit, then the balance when ready' },
            ]}
          />
          <NumberInput
            label="Deposit (%)"
            min={0}
            max={100}
            decimalScale={2}
            disabled={!managed || mode !== 'deposit'}
            value={deposit}
            onChange={setDeposit}
          />
          <NumberInput
            label="Grace after a failed payment (days)"
            description="Then the units go to the next in line"
            min={0}
            max={60}
            disabled={!managed}
            value={grace}
            onChange={setGrace}
          />
          <NumberInput
            label="Hold by authorisation up to (days)"
            description="Longer waits save the card and charge it when ready"
            min={1}
            max={30}
            disabled={!managed}
            value={authorisation}
            onChange={setAuthorisation}
          />
        </SimpleGrid>
        <SaveRow save={save} label="Save payments" />
      </Stack>
    </form>
  );
}
