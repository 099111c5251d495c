/**
 * The audit log: every change a staff member made in the console, newest first: who, what, on
 * what, when, and for each field sent, its value before and after.
 */
import { Button, Code, Group, Paper, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';
import type { AuditEntry } from '../api/messaging';
import { formatTime } from '../shared/format';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';

/** `cancelOrder` → "Cancel order". */
export const actionWords = (action: string): string => {
  const words = action.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const show = (value: unknown): string =>
  value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value, null, 1);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields sent, each with its value before (when the resource could be read) and after. */
function Changes({ entry }: { entry: AuditEntry }) {
  const after = isRecord(entry.after) ? entry.after : {};
  const before = isRecord(entry.before) ? entry.before : null;
  const fields = Object.keys(after);
  if (fields.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing was sent with it (the action itself is the change).
      </Text>
    );
  const value = (v: unknown) => (
    <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{show(v)}</Code>
  );
  return (
    <Stack gap={6} mt={6} component="ul" style={{ listStyle: 'none', padding: 0 }} aria-label="Changes">
      {fields.map((field) => (
        <Text component="li" size="sm" key={field} data-field={field}>
          <Text span fw={600}>
            {field}
          </Text>
          {before ? (
            <>
              : was {value(before[field])}, now {value(after[field])}
            </>
          ) : (
            <>: {value(after[field])}</>
          )}
        </Text>
      ))}
    </Stack>
  );
}

export function AuditLog() {
  const audit = useInfiniteQuery({
    queryKey: ['audit-log'],
    queryFn: ({ pageParam }) =>
      data(
        api.GET('/v1/audit-log', {
          params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  if (audit.isPending) return <Loading label="Loading the audit log…" />;
  if (audit.isError) return <ErrorNotice error={audit.error} onRetry={() => void audit.refetch()} />;
  const entries = audit.data.pages.flatMap((p) => p.data);
  if (entries.length === 0)
    return (
      <EmptyState title="Nothing changed yet">
        Each change a staff member makes in the console (a cancelled line, a new setting, an invitation) is
        written here with who made it and what it changed. Calls made with API keys are not.
      </EmptyState>
    );
  return (
    <Stack gap="sm">
      {entries.map((entry) => (
        <Paper key={entry.id} withBorder p="sm" radius="md" data-audit={entry.action}>
          <Group justify="space-between" gap="xs" wrap="wrap">
            <Text size="sm">
              <Text span fw={600}>
                {actionWords(entry.action)}
              </Text>
              {entry.target ? (
                <>
                  {' '}
                  · <code>{entry.target}</code>
                </>
              ) : null}
            </Text>
            <Text size="xs" c="dimmed">
              {formatTime(entry.at)}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" mb={4} style={{ wordBreak: 'break-all' }}>
            by {entry.staff.email} · {entry.method} {entry.route}
          </Text>
          <details>
            <summary>
              <Text span size="sm">
                What changed
              </Text>
            </summary>
            <Changes entry={entry} />
          </details>
        </Paper>
      ))}
      {audit.hasNextPage && (
        <Group>
          <Button
            variant="default"
            loading={audit.isFetchingNextPage}
            onClick={() => void audit.fetchNextPage()}
          >
            Show older changes
          </Button>
        </Group>
      )}
    </Stack>
  );
}
