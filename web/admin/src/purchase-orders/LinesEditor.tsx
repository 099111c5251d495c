/**
 * A purchase order's lines as a form: SKU, units and unit cost per line, lines added and removed.
 * Used to create a purchase order and to change the lines of one that is still open.
 */
import { ActionIcon, Button, Group, NumberInput, Text, TextInput } from '@mantine/core';

export interface LineForm {
  key: number;
  sku: string;
  quantity: number | string;
  unitCost: number | string;
  /** Units already received: the line cannot go below them nor be removed. */
  received?: number;
}

let nextKey = 1;
export const emptyLine = (): LineForm => ({ key: nextKey++, sku: '', quantity: '', unitCost: 0 });
export const lineOf = (line: {
  sku: string;
  quantity: number;
  unitCost: number;
  receivedQuantity: number;
}) => ({
  key: nextKey++,
  sku: line.sku,
  quantity: line.quantity,
  unitCost: line.unitCost,
  received: line.receivedQuantity,
});

/** The lines to send: blank SKUs left out. */
export const linesToSend = (lines: readonly LineForm[]) =>
  lines
    .filter((l) => l.sku.trim() !== '')
    .map((l) => ({ sku: l.sku.trim(), quantity: Number(l.quantity), unitCost: Number(l.unitCost) || 0 }));

export function LinesEditor({
  lines,
  onChange,
}: {
  lines: LineForm[];
  onChange: (update: (prev: LineForm[]) => LineForm[]) => void;
}) {
  const setLine = (key: number, change: Partial<LineForm>) =>
    onChange((prev) => prev.map((l) => (l.key === key ? { ...l, ...change } : l)));
  return (
    <>
      <Text size="sm" fw={600} mt="xs">
        Lines
      </Text>
      {lines.map((line, i) => {
        const received = line.received ?? 0;
        return (
          <Group key={line.key} align="flex-end" gap="xs" wrap="wrap">
            <TextInput
              label={`SKU, line ${i + 1}`}
              value={line.sku}
              onChange={(e) => setLine(line.key, { sku: e.currentTarget.value })}
              required={i === 0}
              readOnly={received > 0}
              description={received > 0 ? `${received} received` : undefined}
              w={200}
            />
            <NumberInput
              label={`Units, line ${i + 1}`}
              value={line.quantity}
              onChange={(v) => setLine(line.key, { quantity: v })}
              min={Math.max(1, received)}
              allowDecimal={false}
              allowNegative={false}
              required={line.sku.trim() !== ''}
              w={100}
            />
            <NumberInput
              label={`Unit cost, line ${i + 1} (minor units)`}
              value={line.unitCost}
              onChange={(v) => setLine(line.key, { unitCost: v })}
              min={0}
              allowDecimal={false}
              allowNegative={false}
              w={170}
            />
            {lines.length > 1 && received === 0 && (
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                mb={2}
                aria-label={`Remove line ${i + 1}`}
                onClick={() => onChange((prev) => prev.filter((l) => l.key !== line.key))}
              >
                ×
              </ActionIcon>
            )}
          </Group>
        );
      })}
      <Group>
        <Button variant="subtle" size="xs" onClick={() => onChange((prev) => [...prev, emptyLine()])}>
          Add a line
        </Button>
      </Group>
    </>
  );
}
