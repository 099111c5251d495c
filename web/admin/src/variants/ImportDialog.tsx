/**
 * CSV import: stock adjustments (a delivery, a write-off list) or variants (titles and policies).
 * The file goes up in one request with a progress bar; the server applies every row or none, and a
 * refusal lists each row at fault in a table, so the merchant fixes the file and sends it again.
 */
import { Alert, Button, Code, Group, Modal, Progress, Radio, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useId, useState } from 'react';
import { ErrorNotice } from '../shared/states';
import {
  type CsvTarget,
  countRows,
  type RowError,
  rowErrors,
  type UploadProgress,
  uploadCsv,
} from './csv-upload';

type Kind = 'adjustments' | 'variants';

const KINDS: Record<Kind, { target: CsvTarget; label: string; header: string; help: string }> = {
  adjustments: {
    target: '/v1/inventory/adjustments/batch',
    label: 'Stock adjustments',
    header: 'sku,quantity,reason,note',
    help: 'One SKU per row; quantity is the change (24 received, −2 written off); reason is restock, count, damage, return or other.',
  },
  variants: {
    target: '/v1/variants/batch',
    label: 'Variants and policies',
    header: 'sku,title,price,backorder.mode,backorder.limit,backorder.message',
    help: 'Creates or replaces each variant (every field; an empty cell takes the default). Mode is deny, backorder or preorder; limit a number or auto.',
  },
};

interface Outcome {
  kind: Kind;
  rows: number;
  filledLines: number;
}

export function ImportDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [kind, setKind] = useState<Kind>('adjustments');
  const [file, setFile] = useState<File | null>(null);
  const [rows, setRows] = useState(0);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const queryClient = useQueryClient();
  const inputId = useId();
  const busy = progress !== null;

  function reset() {
    setFile(null);
    setRows(0);
    setProgress(null);
    setError(null);
    setOutcome(null);
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.currentTarget.files?.[0] ?? null;
    setError(null);
    setOutcome(null);
    setFile(chosen);
    setRows(chosen ? countRows(await chosen.text()) : 0);
  }

  async function onImport() {
    if (!file) return;
    setError(null);
    setOutcome(null);
    try {
      const result = await uploadCsv<{ data: { filled?: unknown[] }[] }>(
        KINDS[kind].target,
        file,
        setProgress,
      );
      setOutcome({
        kind,
        rows: result.data.length,
        filledLines: result.data.reduce((sum, item) => sum + (item.filled?.length ?? 0), 0),
      });
      await queryClient.invalidateQueries({ queryKey: ['stock'] });
    } catch (caught) {
      setError(caught);
    } finally {
      setProgress(null);
    }
  }

  const errors: RowError[] = rowErrors(error);
  const spec = KINDS[kind];
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={() => {
        if (busy) return;
        reset();
        onClose();
      }}
      title="Import a CSV file"
      size="lg"
    >
      <Stack gap="md">
        <Radio.Group
          label="The file holds"
          value={kind}
          onChange={(value) => {
            setKind(value as Kind);
            setError(null);
            setOutcome(null);
          }}
        >
          <Group mt="xs">
            {(Object.keys(KINDS) as Kind[]).map((k) => (
              <Radio key={k} value={k} label={KINDS[k].label} disabled={busy} />
            ))}
          </Group>
        </Radio.Group>
        <Text size="sm" c="dimmed">
          {spec.help} First row: <Code>{spec.header}</Code>. Every row is applied, or none is.
        </Text>
        <div>
          <Text component="label" htmlFor={inputId} size="sm" fw={500} display="block" mb={4}>
            CSV file
          </Text>
          <input
            id={inputId}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => void onFile(e)}
            disabled={busy}
            className="stock-file-input"
          />
          {file && (
            <Text size="xs" c="dimmed" mt={4}>
              {file.name}: about {rows} row{rows === 1 ? '' : 's'},{' '}
              {Math.max(1, Math.round(file.size / 1024))} kB
            </Text>
          )}
        </div>
        {progress && (
          <div>
            <Text size="sm" mb={4} id={`${inputId}-progress`}>
              {progress.phase === 'uploading'
                ? `Uploading… ${Math.round(progress.sent * 100)}%`
                : 'Checking and applying every row…'}
            </Text>
            <Progress
              value={progress.phase === 'uploading' ? progress.sent * 100 : 100}
              striped={progress.phase === 'applying'}
              animated={progress.phase === 'applying'}
              aria-labelledby={`${inputId}-progress`}
            />
          </div>
        )}
        {outcome && (
          <Alert color="green" variant="light" role="status" title="Imported">
            {outcome.rows} {outcome.kind === 'adjustments' ? 'adjustment' : 'variant'}
            {outcome.rows === 1 ? '' : 's'} applied
            {outcome.kind === 'adjustments'
              ? `; ${outcome.filledLines} waiting line${outcome.filledLines === 1 ? '' : 's'} received units.`
              : '.'}
          </Alert>
        )}
        {error !== null && errors.length === 0 && <ErrorNotice error={error} title="Nothing was imported" />}
        {errors.length > 0 && (
          <Alert color="red" variant="light" title="Nothing was imported" role="alert">
            <Text size="sm" mb="xs">
              {errors.length} problem{errors.length === 1 ? '' : 's'} in the file; no row was applied. Fix{' '}
              {errors.length === 1 ? 'it' : 'them'} and import the file again.
            </Text>
            <div className="table-scroll">
              <Table withTableBorder verticalSpacing={4} aria-label="Rows refused" bg="white">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Row</Table.Th>
                    <Table.Th scope="col">Column</Table.Th>
                    <Table.Th scope="col">Problem</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {errors.map((e) => (
                    <Table.Tr key={`${e.row}:${e.column}:${e.message}`} data-row={e.row ?? ''}>
                      <Table.Td>{e.row ?? '—'}</Table.Td>
                      <Table.Td>{e.column ? <Code>{e.column}</Code> : '—'}</Table.Td>
                      <Table.Td>{e.message}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button
            variant="default"
            onClick={() => {
              reset();
              onClose();
            }}
            disabled={busy}
          >
            {outcome ? 'Done' : 'Close'}
          </Button>
          <Button onClick={() => void onImport()} disabled={!file} loading={busy}>
            Import {spec.label.toLowerCase()}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
